"""The foundation commands end to end: init, refresh, check, demo — on real files, read back with
python-calamine and opened in LibreOffice."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import click
import pytest
from tests.support.cli import run
from tests.support.libreoffice import convert, needs_libreoffice

from tests.support.books import typed_tracker
from tests.support.engine_fixtures import TICKETS, make_tracker, raw_members, sheet_part, vba_project
from workbook.core import schema
from workbook.core.book import find_table
from workbook.core.changeset import ChangeSet
from workbook.cli import COMMANDS, main
from workbook.xlsx.file_engine import FileEngine
from workbook.xlsx.reader import read_book
from workbook.xlsx.safe_write import backups_of

NOW = "2024-05-20 15:00"
P1 = {"reported_at": datetime(2024, 5, 20, 14, 30), "reporter": "张伟", "module": "销售模块V3.2",
      "description": "=HYPERLINK(\"http://evil\")", "priority": "P1", "status": "新建"}
P3 = P1 | {"reported_at": "2024/5/17 20:00", "description": "打印机卡纸", "priority": "P3", "module": "会议室A打印机",
           "first_response_at": "2024-05-18 10:00"}


def tickets(path: Path) -> list[dict]:
    return [record for _, record in find_table(read_book(path), "tickets").records()]


def test_refresh_numbers_and_computes_then_has_nothing_left_to_do(tmp_path):
    path = typed_tracker(tmp_path / "t.xlsx", [P1, P3])
    result = run("refresh", path, "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "20240517-001" in result.output and "20240520-001" in result.output
    assert "超时 1 个" in result.output  # the P1: response due 14:45, assignment due 14:40
    first, second = tickets(path)
    assert first["ticket_no"] == "20240520-001" and first["sla_state"] == "超时"
    assert first["description"] == "=HYPERLINK(\"http://evil\")"  # stays text, never a formula
    # P3 reported Fri 20:00 (after hours): its clock starts Mon 09:00. Response is 24 h on 24x7:
    # Sat 20:00, met at Sat 10:00. Assignment is one working day (450 min): Mon 09:00 + 450 min =
    # Mon 18:00; at Mon 15:00 180 + 90 = 270 min are used, 60 % (< 75 %). Resolution is three
    # working days: Wed 18:00.
    assert second["ticket_no"] == "20240517-001"
    assert second["response_due"] == datetime(2024, 5, 18, 20, 0)
    assert second["assignment_due"] == datetime(2024, 5, 20, 18, 0)
    assert second["resolution_due"] == datetime(2024, 5, 22, 18, 0)
    assert second["breached"] is None and second["sla_state"] == "正常"
    again = run("refresh", path, "--now", NOW)
    assert again.exit_code == 0 and "没有需要更改的内容" in again.output


def test_dry_run_prints_the_changes_and_writes_nothing(tmp_path):
    path = typed_tracker(tmp_path / "t.xlsx", [P1])
    before = path.read_bytes()
    result = run("refresh", path, "--now", NOW, "--dry-run")
    assert result.exit_code == 0
    assert "工单!A2: (empty) -> '20240520-001'" in result.output
    assert "工单!AC2: (empty) -> 2024-05-20 14:45" in result.output
    assert path.read_bytes() == before


def test_check_reports_each_problem_and_exits_1(tmp_path):
    path = typed_tracker(tmp_path / "t.xlsx", [P1 | {"priority": "P9"}, P3 | {"reported_at": "昨天"}])
    before = path.read_bytes()
    text = run("check", path, "--now", NOW)
    assert text.exit_code == 1
    assert re.search(r"工单!K2: \[priority\] 优先级应为 P1–P4，实际为 'P9'", text.output)
    assert "工单!B3: [date]" in text.output
    as_json = json.loads(run("check", path, "--now", NOW, "--format", "json", "--lang", "en").output)
    assert [(f["cell"], f["rule"]) for f in as_json["findings"]] == [("K2", "priority"), ("B3", "date")]
    assert as_json["findings"][0]["message"] == "priority must be P1–P4, found 'P9'"
    assert path.read_bytes() == before
    refreshed = run("refresh", path, "--now", NOW)  # the same list, and every row still computed
    assert refreshed.exit_code == 0 and "工单!K2: [priority]" in refreshed.output and "工单!B3: [date]" in refreshed.output


def test_english_tracker_reads_and_writes_english(tmp_path):
    path = tmp_path / "t.xlsx"
    assert run("init", path, "--lang", "en").exit_code == 0
    typed = typed_tracker(tmp_path / "u.xlsx", [P1 | {"status": "New"}], lang="en")
    result = run("refresh", typed, "--now", NOW)
    assert result.exit_code == 0 and "overdue: 1" in result.output
    row = tickets(typed)[0]
    assert (row["sla_state"], row["breached"], row["review_needed"]) == ("Overdue", "response, assignment", "Yes")


@pytest.mark.parametrize("args, message", [
    (["refresh", "missing.xlsx"], "文件不存在"),
    (["refresh", "missing.xlsx", "--lang", "en"], "no such file"),
    (["init", "t.txt"], ".xlsx"),
    (["refresh", "t.xlsx", "--now", "tomorrow"], "2024-05-20 14:30"),
])
def test_mistakes_get_one_clear_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.xlsx").write_bytes(b"")
    result = run(*args)
    assert result.exit_code in (1, 2) and message in result.output
    assert "Traceback" not in result.output


def test_every_command_has_help_in_both_languages_and_a_place_in_the_readme():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    with click.Context(main) as ctx:
        commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    assert set(commands) == set(COMMANDS)
    for name, command in commands.items():
        assert command.name == name
        help_text = command.help or ""
        assert help_text and re.search(r"[\u4e00-\u9fff]", help_text), name
        assert f"track-xls {name}" in readme, name
        if isinstance(command, click.Group):
            assert command.commands, name


def test_version_imports_no_command_module():
    code = ("import sys; from workbook.cli import main; sys.argv = ['track-xls', '--version']\n"
            "try: main()\nexcept SystemExit: print(sorted(m for m in sys.modules if m.startswith('workbook.cli.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "['workbook.cli.console']"


def test_refresh_imports_no_authoring_or_report_library(tracker):
    """A refresh reads and patches the package: openpyxl and pandas (0.3 s and more to import) are
    for new workbooks and reports."""
    code = ("import sys; from workbook.cli import main; sys.argv = ['track-xls', 'refresh', sys.argv[1]]\n"
            "try: main()\nexcept SystemExit as exit: print(exit.code, sorted({'openpyxl', 'pandas'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, str(tracker)], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "0 []"


@needs_libreoffice
def test_demo_tracker_opens_in_libreoffice_with_its_values(tmp_path):
    result = run("demo", tmp_path / "demo", "--tickets", "60", "--now", "2024-06-12 10:00")
    assert result.exit_code == 0, result.output
    path = tmp_path / "demo" / "工单跟踪.xlsx"
    assert path.exists() and "2024-05" in result.output
    ours = tickets(path)
    theirs = [r for _, r in find_table(read_book(convert(path, "xlsx", tmp_path / "lo")), "tickets").records()]
    assert len(ours) == len(theirs) > 0
    for key in ("ticket_no", "sla_state", "resolution_due", "description"):
        assert [r[key] for r in ours] == [r[key] for r in theirs], key
    assert {r["sla_state"] for r in ours} <= {label.zh for label in schema.SLA_STATES.values()}
    assert list((tmp_path / "demo" / "archive").glob("2024-0[345]/工单归档_*.xlsx"))
    assert (tmp_path / "demo" / "月度报告_2024-05.xlsx").exists()


def test_real_refresh_leaves_everything_it_does_not_own_byte_identical(tmp_path):
    """A team's .xlsm with a button, text box, image, sparklines, comment, VBA, its own formula
    column and its own sheet named 看板: refresh rewrites the Tickets sheet and nothing else."""
    path = make_tracker(tmp_path / "team.xlsm", 12, vba=vba_project(tmp_path))
    before = raw_members(path)
    result = run("refresh", path, "--now", "2024-05-22 10:00")
    assert result.exit_code == 0, result.output
    after = raw_members(path)
    assert list(after) == list(before)
    assert {name for name in before if before[name] != after[name]} == {sheet_part(path, TICKETS)}
    rows = tickets(path)
    assert all(r["ticket_no"] and r["sla_state"] for r in rows)
    assert rows[0]["response_due"] == rows[0]["reported_at"] + timedelta(minutes=15)  # P1 on the 24x7 clock


@needs_libreoffice
def test_refresh_of_a_tracker_saved_by_libreoffice(tmp_path):
    (tmp_path / "src").mkdir()
    saved = convert(typed_tracker(tmp_path / "src" / "t.xlsx", [P1, P3]), "xlsx", tmp_path / "lo")
    before = raw_members(saved)
    result = run("refresh", saved, "--now", NOW)
    assert result.exit_code == 0, result.output
    after = raw_members(saved)
    owned = {sheet_part(saved, name) for name in ("工单", "进展日志", "看板")}
    owned |= {"xl/workbook.xml", "xl/styles.xml"} | {n for n in before if n.startswith("xl/tables/")}
    assert {n for n in before if before[n] != after.get(n)} <= owned
    assert [r["ticket_no"] for r in tickets(saved)] == ["20240520-001", "20240517-001"]
    again = convert(saved, "xlsx", tmp_path / "again")
    assert [r["sla_state"] for r in tickets(again)] == ["超时", "正常"]


def test_backups_kept_follows_settings(tmp_path):
    path = typed_tracker(tmp_path / "t.xlsx", [P1])
    engine = FileEngine(path)
    settings_sheet = read_book(path).sheet("settings")
    row = next(r for r, cells in enumerate(settings_sheet.rows) if cells and cells[0] == "备份保留份数")
    changes = ChangeSet()
    changes.set(settings_sheet.name, row, 1, 2)
    engine.read()
    engine.apply(changes)
    for minute in range(4):  # each refresh changes the dashboard's time, so each one writes
        assert run("refresh", path, "--now", f"2024-05-20 15:0{minute}").exit_code == 0
    assert len(backups_of(path)) == 2
