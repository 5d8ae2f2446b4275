"""Each tracker column is named by exactly one header cell, in either language: a second header
naming the same column (a team's own column renamed to 状态 in an English tracker, say) stops
every command, naming both cells, and nothing is written."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.support.books import typed_tracker
from workbook.cli import main

NOW = "2024-06-15 10:00"
ROW = {"reported_at": "2024-06-14 09:00", "reporter": "Ann", "module": "OA", "description": "cannot log in",
       "priority": "P3", "status": "Resolved", "ticket_no": "20240614-001", "resolved_at": "2024-06-14 12:00"}


@pytest.fixture
def renamed(tmp_path):
    """An English tracker whose team added a column of its own and headed it 状态."""
    path = typed_tracker(tmp_path / "tracker.xlsx", [ROW], "en")
    wb = load_workbook(path)
    ws = wb["Tickets"]
    header_row = next(r for r in range(1, 11) if ws.cell(r, 1).value == "Ticket No")
    status = next(c for c in range(1, ws.max_column + 1) if ws.cell(header_row, c).value == "Status")
    ws.cell(header_row, ws.max_column + 1, "状态")
    wb.save(path)
    cells = (f"{get_column_letter(status)}{header_row}", f"{get_column_letter(ws.max_column)}{header_row}")
    return path, cells


@pytest.mark.parametrize("command", [
    ["refresh"], ["check"], ["new", "--reporter", "Bo", "--module", "OA", "--description", "x", "--priority", "P4"],
    ["resolve", "20240614-001", "--summary", "fixed"], ["archive"], ["review"]])
def test_two_headers_for_one_column_stop_every_command_naming_both_cells(renamed, command):
    path, (first, second) = renamed
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, [command[0], str(path), *command[1:], "--now", NOW])
    assert result.exit_code == 1, result.output
    assert "Tickets: " in result.output and first in result.output and second in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_renaming_it_back_lets_the_commands_run(renamed):
    path, (_, second) = renamed
    wb = load_workbook(path)
    wb["Tickets"][second] = "Our Notes"
    wb.save(path)
    result = CliRunner().invoke(main, ["refresh", str(path), "--now", NOW])
    assert result.exit_code == 0, result.output
