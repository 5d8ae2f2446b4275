"""Month-end archive: selection, the month workbooks, idempotence, numbers kept, errors, retention.

Crashes and kill -9 are in test_archive_crash.py.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import shutil
import sys
import tempfile
import zipfile
from datetime import datetime

import pytest

from workbook.app import report_frame
from workbook.app.report_run import make_report
from workbook.core import schema
from workbook.core.archive import ArchiveRows, expired, merge, parse_month, plan_archive, summary_rows, wanted_months
from workbook.app.report_cache import CACHE
from workbook.app.archives import archive_rows
from workbook.author.archive_book import write_archive
from workbook.core.book import find_table
from workbook.core.changeset import ChangeSet
from workbook.app.demo import make_demo_tracker
from workbook.xlsx.file_engine import FileEngine
from workbook.core.parse import parse_datetime
from workbook.xlsx.reader import read_book
from workbook.core.refresh import run_refresh
from workbook.core.tracker import load_tracker

from tests.support.archive_books import (NOW, archive_files, archived_numbers, assert_exactly_once, cli, close_ticket,
                           closed_by_month, index_rows, sha, tracker_numbers)
from tests.support.books import make_book
from tests.support.libreoffice import convert, needs_libreoffice



# -- moving month by month ---------------------------------------------------------------------------

def test_closed_tickets_move_month_by_month_and_open_ones_stay(tracker):
    original, closed = set(tracker_numbers(tracker)), closed_by_month(tracker)
    open_before = {t.number for t in load_tracker(read_book(tracker)).tickets if t.status != "closed"}
    for month in ("2024-02", "2024-03", "2024-04", "2024-05"):
        result = cli(tracker, "--month", month, "--now", "2024-06-15 10:00")
        assert result.exit_code == 0, result.output
        file = tracker.parent / "archive" / month / f"工单归档_{month}.xlsx"
        assert f"{month}：{len(closed[month])} 个工单已移入" in result.output
        assert set(archived_numbers(file)) == closed[month]
        manifest = json.loads((file.parent / "manifest.json").read_text("utf-8"))
        assert manifest["tickets"] == sorted(closed[month]) and manifest["sha256"] == sha(file)
        assert manifest["ticket_count"] == len(closed[month]) and manifest["source"] == str(tracker.resolve())
    assert set(tracker_numbers(tracker)) == original - set().union(*(closed[m] for m in closed if m < "2024-06"))
    assert open_before <= set(tracker_numbers(tracker))
    assert_exactly_once(tracker, original)


def test_log_rows_travel_with_their_tickets(tracker):
    log_before = read_book(tracker).sheet("log").rows[1:]
    cli(tracker, "--month", "2024-04", "--now", "2024-06-15 10:00")
    file = tracker.parent / "archive/2024-04/工单归档_2024-04.xlsx"
    _, log = archive_rows(file, "zh")
    archived = set(archived_numbers(file))
    assert "2024-04" not in closed_by_month(tracker)
    assert len(log.rows) == sum(1 for r in log_before if r[0] in archived) > 0
    assert not [r for r in read_book(tracker).sheet("log").rows[1:] if r[0] in archived]


def test_archive_workbook_is_a_filterable_table_with_a_summary(tracker):
    cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = load_workbook(tracker.parent / "archive/2024-05/工单归档_2024-05.xlsx")
    assert wb.sheetnames == ["工单", "进展日志", "月度汇总"]
    ws = wb["工单"]
    assert [c.value for c in ws[1]] == [c.header("zh") for c in schema.TICKET_COLUMNS]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:{get_column_letter(len(schema.TICKET_COLUMNS))}{ws.max_row}"
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    states = {c.value for c in ws["AG"][1:]}
    assert states <= {"达标", "超时完成"}  # computed columns frozen with their final values
    summary = [[c.value for c in row] for row in wb["月度汇总"].iter_rows()]
    total = next(r for r in summary if r[0] == "合计")
    assert total[1] == ws.max_row - 1 and total[2] + total[3] == total[1]


def test_english_tracker_gets_an_english_archive(tmp_path):
    path, _ = make_demo_tracker(tmp_path, "en", 30, NOW)
    result = cli(path, "--all-before", "2024-06", "--now", "2024-06-15 10:00")
    assert result.exit_code == 0 and "ticket(s) moved to archive/" in result.output
    file = archive_files(path)[0]
    assert file.name.startswith("tickets-archive_")
    assert list(read_book(file).sheets) == ["Tickets", "Log", "Summary"]
    assert index_rows(path)[0][1] == file.parent.name


# -- idempotence -----------------------------------------------------------------------------------------

def test_running_twice_archives_nothing_twice(tracker):
    cli(tracker, "--all-before", "2024-06", "--now", "2024-06-15 10:00")
    before = {p: sha(p) for p in [tracker, *archive_files(tracker)]}
    result = cli(tracker, "--all-before", "2024-06", "--now", "2024-06-15 10:00")
    assert result.exit_code == 0 and "没有需要归档的已关闭工单" in result.output
    assert {p: sha(p) for p in [tracker, *archive_files(tracker)]} == before


def test_later_closures_join_the_month_file(tracker):
    original = set(tracker_numbers(tracker))
    cli(tracker, "--now", "2024-06-15 10:00")  # default: the current month
    file = tracker.parent / "archive/2024-06/工单归档_2024-06.xlsx"
    first = set(archived_numbers(file))
    late = close_ticket(tracker, datetime(2024, 6, 20, 16, 0))
    result = cli(tracker, "--now", "2024-06-30 18:00")
    assert result.exit_code == 0 and "2024-06：1 个工单已移入" in result.output
    assert set(archived_numbers(file)) == first | {late}
    manifest = json.loads((file.parent / "manifest.json").read_text("utf-8"))
    assert manifest["ticket_count"] == len(first) + 1 and manifest["sha256"] == sha(file)
    assert_exactly_once(tracker, original)


def test_dry_run_lists_and_writes_nothing(tracker):
    before = sha(tracker)
    result = cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00", "--dry-run")
    assert result.exit_code == 0
    assert "2024-05：将把" in result.output and sorted(closed_by_month(tracker)["2024-05"])[0] in result.output
    assert sha(tracker) == before and not (tracker.parent / "archive").exists()


# -- the report's cache ----------------------------------------------------------------------------------

def report_figures(path):
    return make_report(path, "2024-05", NOW).as_dict()


def cold_figures(path, tmp_path):
    """The report of a copy of the tracker's folder without any report cache."""
    copy = tmp_path / "cold"
    shutil.copytree(path.parent, copy, ignore=shutil.ignore_patterns(CACHE))
    return report_figures(copy / path.name)


def no_workbook_read(file):
    raise AssertionError(f"read {file}")


def test_archive_leaves_the_report_its_months_computed(tracker, tmp_path, monkeypatch):
    assert cli(tracker, "--all-before", "2024-06", "--now", "2024-06-15 10:00").exit_code == 0
    months = sorted(p.parent.name for p in archive_files(tracker))
    assert len(months) > 1 and all((tracker.parent / "archive" / m / CACHE).is_file() for m in months)
    cold = cold_figures(tracker, tmp_path)
    monkeypatch.setattr(report_frame, "archived_entries", no_workbook_read)
    assert report_figures(tracker) == cold


def test_a_report_cache_that_cannot_be_written_does_not_stop_the_archive(tracker, tmp_path):
    closed = closed_by_month(tracker)["2024-05"]
    month = tracker.parent / "archive" / "2024-05"
    (month / CACHE).mkdir(parents=True)  # a folder where the cache goes: it cannot be written
    result = cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert result.exit_code == 0, result.output
    assert set(archived_numbers(month / "工单归档_2024-05.xlsx")) == closed
    assert sorted(p.name for p in month.iterdir()) == [CACHE, "manifest.json", "工单归档_2024-05.xlsx"]
    assert report_figures(tracker) == cold_figures(tracker, tmp_path)  # the archive is read as before


# -- numbers stay reserved ------------------------------------------------------------------------------

def test_archived_numbers_are_never_reused(tracker):
    cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    index = index_rows(tracker)
    assert {r[0] for r in index} == set(archived_numbers(tracker.parent / "archive/2024-05/工单归档_2024-05.xlsx"))
    assert {r[1] for r in index} == {"2024-05"} and index[0][2] == "archive/2024-05/工单归档_2024-05.xlsx"
    last = max(r[0] for r in index)  # the highest archived number: a new ticket that day comes after it
    day = datetime.strptime(last[:8], "%Y%m%d").replace(hour=23, minute=59)
    engine = FileEngine(tracker)
    table = find_table(engine.read(), "tickets")
    changes = ChangeSet()
    row = table.end_row
    new = {"reported_at": day, "reporter": "王芳", "module": "OA系统", "description": "打不开", "priority": "P4",
           "status": "新建"}
    for key, value in new.items():
        changes.set(table.name, row, table.columns[key], value)
    engine.apply(changes)
    _, refreshed = run_refresh(engine, datetime(2024, 6, 15, 10, 0))
    assert refreshed.numbered == [f"{last[:8]}-{int(last[9:]) + 1:03d}"]


# -- errors: nothing moved -------------------------------------------------------------------------------

def test_hand_edited_archive_is_refused_and_nothing_moves(tracker):
    cli(tracker, "--now", "2024-06-15 10:00")
    file = tracker.parent / "archive/2024-06/工单归档_2024-06.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(file)
    wb["工单"]["C2"] = "改过"
    wb.save(file)
    edited = sha(file)
    close_ticket(tracker, datetime(2024, 6, 20, 16, 0))
    before = sha(tracker)
    result = cli(tracker, "--now", "2024-06-30 18:00")
    assert result.exit_code == 1 and "sha256" in result.output and "未移动任何工单" in result.output
    assert sha(tracker) == before and sha(file) == edited


def test_tracker_open_in_excel_is_refused(tracker):
    (tracker.parent / f"~${tracker.name}").write_text("")
    result = cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert result.exit_code == 1 and "Excel" in result.output
    assert not (tracker.parent / "archive").exists()


def test_unwritable_archive_folder_is_refused(tracker):
    (tracker.parent / "archive").write_text("a file where the folder should be")
    before = sha(tracker)
    result = cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert result.exit_code == 1 and "无法写入" in result.output
    assert sha(tracker) == before


def test_bad_month_is_a_usage_error(tracker):
    assert cli(tracker, "--month", "2024-13").exit_code == 2
    assert cli(tracker, "--month", "2024-05", "--all-before", "2024-06").exit_code == 2


def _a_folder(monkeypatch, tmp_path):
    """Where the file should be: fails before any sheet is saved."""
    return tmp_path, []


def _disk_full_after_the_first_sheet(monkeypatch, tmp_path):
    real = zipfile.ZipFile.write

    def write(archive, filename, arcname=None, *args):
        if arcname == "xl/worksheets/sheet2.xml":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(archive, filename, arcname, *args)
    monkeypatch.setattr(zipfile.ZipFile, "write", write)
    return tmp_path / "a.xlsx", []


def _a_value_excel_cannot_hold(monkeypatch, tmp_path):
    """Fails halfway through the log's rows."""
    return tmp_path / "a.xlsx", [["20240501-001", object()]]


@pytest.mark.parametrize("failure", [_a_folder, _disk_full_after_the_first_sheet, _a_value_excel_cannot_hold])
def test_a_failed_archive_write_leaves_no_stream_open_and_no_temp_file(failure, monkeypatch, tmp_path):
    ignored = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path, more_log = failure(monkeypatch, tmp_path)
    tickets = ArchiveRows([c.header("zh") for c in schema.TICKET_COLUMNS], [["20240501-001"]])
    log = ArchiveRows([c.header("zh") for c in schema.LOG_COLUMNS],
                      [["20240501-001", datetime(2024, 5, 1, 9, 30)], *more_log])
    with pytest.raises((OSError, ValueError)):
        write_archive(path, "2024-05", "zh", tickets, log)
    gc.collect()
    assert [u.exc_value for u in ignored] == [] and list(temp.iterdir()) == []


# -- retention --------------------------------------------------------------------------------------------

def test_expired_months_are_those_kept_past_the_retention():
    months = ["2024-04", "2024-05", "2024-06"]
    assert expired(months, datetime(2025, 6, 1), 12) == ["2024-04", "2024-05"]
    assert expired(months, datetime(2025, 5, 31, 23, 59), 12) == ["2024-04"]
    assert expired(months, datetime(2025, 6, 1), 24) == []


def test_prune_lists_without_yes_and_removes_only_old_archives_with_it(tracker):
    cli(tracker, "--all-before", "2024-06", "--now", "2024-06-15 10:00")
    folder = tracker.parent / "archive"
    (folder / "2024-03" / "附件.txt").write_text("the team's own file")
    (folder / "2024-02" / CACHE).write_text("the report's")  # goes with its archive
    listed = cli(tracker, "--prune", "--now", "2025-05-15 09:00")
    assert listed.exit_code == 0 and "--yes" in listed.output and "2024-03" in listed.output
    assert "2024-05" not in listed.output and len(archive_files(tracker)) == 4
    removed = cli(tracker, "--prune", "--yes", "--now", "2025-05-15 09:00")
    assert removed.exit_code == 0, removed.output
    assert [p.parent.name for p in archive_files(tracker)] == ["2024-05"]
    assert not (folder / "2024-02").exists() and (folder / "2024-03" / "附件.txt").exists()
    assert len(index_rows(tracker)) > len(archived_numbers(archive_files(tracker)[0]))  # numbers stay reserved


# -- the pure parts ----------------------------------------------------------------------------------------

def test_months_and_selection_windows():
    assert parse_month("2024-05") == "2024-05"
    with pytest.raises(ValueError):
        parse_month("2024-5")
    assert wanted_months(None, None, NOW)("2024-06") and not wanted_months(None, None, NOW)("2024-05")
    before = wanted_months(None, "2024-03", NOW)
    assert before("2023-12") and before("2024-02") and not before("2024-03")


def test_plan_selects_closed_tickets_of_the_month_and_says_why_others_stay():
    may = datetime(2024, 5, 20, 16, 0)
    base = {"reported_at": datetime(2024, 5, 20, 9, 0), "reporter": "张伟", "module": "OA", "description": "慢",
            "priority": "P3", "status": "已关闭", "resolved_at": may, "closed_at": may, "summary": "重启"}
    tickets = [base | {"ticket_no": "20240520-001"},
               base | {"ticket_no": "20240520-002", "status": "处理中", "closed_at": None},  # open: stays
               base | {"ticket_no": "20240520-003", "closed_at": None},  # closed, no time: note
               base | {"ticket_no": "20240520-004"}, base | {"ticket_no": "20240520-004"},  # duplicate: note
               base | {"ticket_no": "20240520-005"},  # already archived: note
               base | {"ticket_no": "20240420-001", "closed_at": datetime(2024, 4, 30, 9, 0)},  # April
               base]  # no number yet: note
    log = [{"ticket_no": "20240520-001", "time": may, "kind": "状态变更", "text": "已解决 → 已关闭"},
           {"ticket_no": "20240520-002", "time": may, "kind": "排查", "text": "查日志"}]
    tracker = load_tracker(make_book(tickets, log, archived=["20240520-005"]))
    plan = plan_archive(tracker, wanted_months("2024-05", None, NOW), NOW, lambda m: f"archive/{m}/x.xlsx")
    assert [(m.month, m.numbers) for m in plan.months] == [("2024-05", ["20240520-001"])]
    assert [key for key, _ in plan.skipped] == ["archive_no_closed_at", "archive_duplicate", "archive_duplicate",
                                                "archive_already", "archive_no_number"]
    assert plan.months[0].log.rows == [["20240520-001", may, None, "状态变更", "已解决 → 已关闭"]]
    assert plan.changes.removed_rows == {"工单": {1}, "进展日志": {1}}
    assert sorted(plan.changes.cells["归档索引"].items()) == [((2, 0), "20240520-001"), ((2, 1), "2024-05"),
                                                            ((2, 2), "archive/2024-05/x.xlsx")]


def test_merge_keeps_user_columns_and_orders_by_number():
    old = ArchiveRows(["工单编号", "我的备注", "状态"], [["20240502-001", "看这里", "已关闭"]])
    new = ArchiveRows(["工单编号", "状态"], [["20240501-001", "已关闭"]])
    merged = merge(old, new, "tickets", {"20240501-001"})
    assert merged.headers == ["工单编号", "状态", "我的备注"]
    assert merged.rows == [["20240501-001", "已关闭", None], ["20240502-001", "已关闭", "看这里"]]


def test_archive_round_trip_keeps_formula_like_text_as_text(tmp_path):
    record = {"ticket_no": "20240501-001", "reported_at": datetime(2024, 5, 1, 0, 0), "reporter": "=1+1",
              "module": "OA\x0bV2", "description": "@everyone", "priority": "P1", "status": "已关闭", "sla_state": "达标"}
    tickets = ArchiveRows([c.header("zh") for c in schema.TICKET_COLUMNS],
                          [[record.get(c.key) for c in schema.TICKET_COLUMNS]])
    log = ArchiveRows([c.header("zh") for c in schema.LOG_COLUMNS],
                      [["20240501-001", datetime(2024, 5, 1, 9, 30), None, "排查", "-x"]])
    write_archive(tmp_path / "a.xlsx", "2024-05", "zh", tickets, log)
    got, got_log = archive_rows(tmp_path / "a.xlsx", "zh")
    assert got.rows[0][2:] == tickets.rows[0][2:] and got_log.rows == log.rows
    assert parse_datetime(got.rows[0][1]) == record["reported_at"]  # calamine reads midnight as a date
    assert summary_rows(tickets, "2024-05", "zh")[3] == ["P1", 1, 1, 0]


@needs_libreoffice
@pytest.mark.libreoffice
def test_libreoffice_opens_every_archive_file(tracker, tmp_path):
    cli(tracker, "--all-before", "2024-04", "--now", "2024-06-15 10:00")
    files = archive_files(tracker)
    assert len(files) == 2
    for file in files:
        converted = convert(file, "xlsx", tmp_path / file.parent.name)
        assert list(read_book(converted).sheets) == ["工单", "进展日志", "月度汇总"]
        assert archived_numbers(converted) == archived_numbers(file)
