"""check names every value that would make another command fail, at the cell the user typed:
times no help desk has, SLA targets whose deadlines overflow, text an Excel cell cannot hold.
Nothing is cut short: a ticket an archive could not hold whole stays in the tracker."""

from __future__ import annotations

import shutil
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook

from tests.support.cli import run
from tests.support.books import BASE, typed
from workbook.core import schema
from workbook.core.book import find_table
from workbook.core.cells import MAX_TEXT
from workbook.core.parse import text
from workbook.core.tracker import load_tracker
from workbook.xlsx.reader import read_book

NOW = "2024-06-15 10:00"
CLOSED = {**BASE, "reported_at": datetime(2024, 5, 2, 9, 0), "status": "已关闭", "first_response_at": datetime(2024, 5, 2, 9, 5),
          "assigned_at": datetime(2024, 5, 2, 9, 5), "resolved_at": datetime(2024, 5, 3, 9, 0),
          "closed_at": datetime(2024, 5, 3, 10, 0), "summary": "重启服务", "backup_done": "是"}
LONG = "y" * (MAX_TEXT + 100)


def written_by_another_tool(path, marker: str, text: str) -> None:
    """Replace ``marker`` in the package by ``text``: a cell Excel itself could not have saved."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename).replace(marker.encode(), text.encode()))
    shutil.move(tmp, path)


@pytest.mark.parametrize("typed_value, shown", [(datetime(1900, 1, 5, 9, 0), "1900-01-05"),
                                                ("1800-01-01 09:00", "1800-01-01")])
def test_a_time_before_1990_is_named_at_its_cell_and_marks_its_row(tmp_path, typed_value, shown):
    path = typed(tmp_path / "t.xlsx", [{**BASE, "reported_at": typed_value}])
    check = run("check", path, "--now", NOW)
    assert check.exit_code == 1 and "工单!B2: [date_range]" in check.output and shown in check.output
    refresh = run("refresh", path, "--now", NOW)
    # A row-level problem: the rest is written, the row is marked 待补全 and named at the typed cell.
    assert refresh.exit_code == 0 and "工单!B2" in refresh.output and "Traceback" not in refresh.output
    assert "看板" not in refresh.output and "!AC" not in refresh.output  # never a computed cell
    assert "待补全" in {text(v) for _, r in find_table(read_book(path), "tickets").records() for v in r.values()}


def test_an_sla_target_that_overflows_is_named_at_its_settings_cell(tmp_path):
    path = typed(tmp_path / "t.xlsx", [BASE])
    wb = load_workbook(path)
    ws = wb[schema.SHEETS["settings"].zh]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "P3").offset(column=2)
    cell.value = 10 ** 12
    wb.save(path)
    for command in ("check", "refresh", "archive"):
        result = run(command, path, "--now", NOW)
        assert result.exit_code == 1 and f"设置!{cell.coordinate}" in result.output, result.output
        assert "Traceback" not in result.output and "超过一年" in result.output


def test_text_longer_than_a_cell_is_reported_and_its_ticket_is_never_archived_cut_short(tmp_path):
    path = typed(tmp_path / "t.xlsx", [{**CLOSED, "summary": "LONGMARK"}, CLOSED])
    written_by_another_tool(path, "LONGMARK", LONG)
    check = run("check", path, "--now", NOW)
    assert check.exit_code == 1 and "[cell_text]" in check.output and str(len(LONG)) in check.output
    assert run("refresh", path, "--now", NOW).exit_code == 0
    result = run("archive", path, "--month", "2024-05", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "工单!" in result.output and str(len(LONG)) in result.output
    tracker = load_tracker(read_book(path))
    (kept,) = [t for t in tracker.tickets]  # the long one stayed, the other was archived
    assert kept.text("summary") == LONG
    archive = next((tmp_path / "archive").rglob("*.xlsx"))
    archived = read_book(archive).sheet("tickets").rows
    assert all(not (isinstance(v, str) and v.startswith("yyyy")) for row in archived for v in row)
    assert len(archived) == 2  # header and the one ticket
