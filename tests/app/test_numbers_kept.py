"""A ticket number once seen anywhere -- Tickets, Log, Reviews, the archive index, an archive
manifest -- is never handed out again; a lost archive index is written back from the manifests.

Each situation is made as a user makes it: rows and sheets deleted in the workbook (openpyxl
standing in for Excel), then the commands run through the CLI.
"""

from __future__ import annotations

from openpyxl import load_workbook

from tests.support.cli import run
from tests.support.archive_books import archive_files, archived_numbers, index_rows
from workbook.author.template import build_template
from workbook.core import schema
from workbook.core.tracker import load_tracker
from workbook.xlsx.reader import read_book

NEW = ["--reporter", "王芳", "--module", "OA系统", "--description", "打不开", "--priority", "P3"]


def new_ticket(path, reported: str) -> str:
    result = run("new", path, *NEW, "--reported", reported, "--now", "2024-06-15 10:00")
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[0]


def delete_rows(path, sheet_key: str, keep) -> None:
    """Delete the rows under the header whose first cell ``keep`` rejects, as a user in Excel would."""
    wb = load_workbook(path)
    ws = next(ws for ws in wb if schema.SHEETS[sheet_key].matches(ws.title))
    for r in range(ws.max_row, 1, -1):
        if ws.cell(r, 1).value and not keep(ws.cell(r, 1).value):
            ws.delete_rows(r)
    wb.save(path)


def test_a_deleted_tickets_number_is_not_handed_out_again_nor_its_log(tmp_path):
    path = tmp_path / "工单跟踪.xlsx"
    build_template(path, "zh")
    first = new_ticket(path, "2024-06-14 09:00")
    second = new_ticket(path, "2024-06-14 09:30")
    assert (first, second) == ("20240614-001", "20240614-002")
    delete_rows(path, "tickets", keep=lambda n: n != second)  # the Log keeps its rows
    third = new_ticket(path, "2024-06-14 11:00")
    assert third == "20240614-003"
    tracker = load_tracker(read_book(path))
    assert [t.number for t in tracker.tickets] == [first, third]
    assert len(tracker.histories[third].status_changes) == 1  # its own 新建, nothing of the deleted ticket's


def test_a_number_named_only_in_reviews_is_not_reused(tmp_path):
    path = tmp_path / "工单跟踪.xlsx"
    build_template(path, "zh")
    wb = load_workbook(path)
    ws = next(ws for ws in wb if schema.SHEETS["reviews"].matches(ws.title))
    ws.cell(ws.max_row + 1, 1, "20240614-001、20240614-004")
    wb.save(path)
    assert new_ticket(path, "2024-06-14 09:00") == "20240614-005"


def _archive_may(tracker) -> set[str]:
    result = run("archive", tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert result.exit_code == 0, result.output
    (file,) = [f for f in archive_files(tracker) if "2024-05" in f.name]
    return set(archived_numbers(file))


def test_archive_index_sheet_deleted_numbers_still_reserved_and_reported(tracker):
    archived = _archive_may(tracker)
    wb = load_workbook(tracker)
    del wb[schema.SHEETS["archive_index"].zh]
    wb.save(tracker)
    last = max(archived)
    number = new_ticket(tracker, f"{last[:4]}-{last[4:6]}-{last[6:8]} 23:59")
    assert number == f"{last[:8]}-{int(last[9:]) + 1:03d}"
    result = run("check", tracker, "--now", "2024-06-15 10:00")
    assert f"{len(archived)} 个已归档编号只记录在归档清单中" in result.output
    everywhere = [t.number for t in load_tracker(read_book(tracker)).tickets]
    assert not archived & set(everywhere)


def test_archive_index_rows_deleted_are_written_back_by_refresh(tracker):
    archived = _archive_may(tracker)
    before = index_rows(tracker)
    delete_rows(tracker, "archive_index", keep=lambda n: False)
    check = run("check", tracker, "--now", "2024-06-15 10:00")
    assert f"缺少 {len(archived)} 个已归档的工单编号" in check.output
    result = run("refresh", tracker, "--now", "2024-06-15 10:00")
    assert result.exit_code == 0, result.output
    assert "已按归档清单（manifest.json）补回" in result.output
    assert sorted(map(tuple, index_rows(tracker))) == sorted(map(tuple, before))
    assert "归档索引" not in run("check", tracker, "--now", "2024-06-15 10:00").output


def test_a_damaged_manifest_stops_numbering_with_one_line(tracker):
    _archive_may(tracker)
    manifest = tracker.parent / "archive/2024-05/manifest.json"
    manifest.write_text("{not json", encoding="utf-8")
    result = run("new", tracker, *NEW, "--now", "2024-06-15 10:00")
    assert result.exit_code == 1 and "manifest.json" in result.output
    assert "Traceback" not in result.output
