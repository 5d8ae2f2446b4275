"""Excel features a team's tracker may use: a table's Total Row, Mac Excel's 1904 date system,
and Strict Open XML (refused, saying so). Each workbook is made as Excel would save it (openpyxl)."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils.datetime import MAC_EPOCH

from tests.support.books import BASE, typed
from workbook.cli import main
from workbook.core.tracker import load_tracker
from workbook.xlsx import package
from workbook.xlsx.reader import read_book

NOW = "2024-06-15 10:00"
ROWS = [{**BASE, "reported_at": datetime(2024, 6, 1, 9, 0)}, {**BASE, "reported_at": datetime(2024, 6, 2, 9, 0)}]
NEW = ["--reporter", "李雷", "--module", "OA系统", "--description", "很慢", "--priority", "P4"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def with_total_row(path):
    """Table Design > Total Row: the table grows by a row holding a label and a SUBTOTAL."""
    wb = load_workbook(path)
    ws = wb["工单"]
    table = ws.tables["Tickets"]
    last = ws.max_row + 1
    end = table.ref.split(":")[1].rstrip("0123456789")
    table.ref = f"A1:{end}{last}"
    table.totalsRowCount = 1
    table.autoFilter.ref = f"A1:{end}{last - 1}"
    columns = {c.name: i for i, c in enumerate(table.tableColumns)}
    table.tableColumns[0].totalsRowLabel = "汇总"
    described = table.tableColumns[columns["问题描述"]]
    described.totalsRowFunction = "count"
    ws.cell(last, 1, "汇总")
    ws.cell(last, columns["问题描述"] + 1, "=SUBTOTAL(103,Tickets[问题描述])")
    wb.save(path)
    return last, columns["问题描述"] + 1


@pytest.mark.parametrize("piece", [None, 40], ids=["1 MB pieces", "pieces shorter than a row"])
def test_a_total_row_is_never_a_ticket_and_new_rows_go_above_it(tmp_path, monkeypatch, piece):
    if piece:
        monkeypatch.setattr(package, "PIECE", piece)
    path = typed(tmp_path / "t.xlsx", ROWS)
    total, count_col = with_total_row(path)
    result = run("refresh", path, "--now", NOW)
    assert result.exit_code == 0, result.output
    tracker = load_tracker(read_book(path))
    assert [t.number for t in tracker.tickets] == ["20240601-001", "20240602-001"]
    number = run("new", path, *NEW, "--now", NOW).output.strip()
    assert number == "20240615-001"
    wb = load_workbook(path)
    ws = wb["工单"]
    table = ws.tables["Tickets"]
    assert ws.cell(total, 1).value == number  # the new ticket took the Total Row's place
    assert ws.cell(total + 1, 1).value == "汇总"
    assert ws.cell(total + 1, count_col).value == "=SUBTOTAL(103,Tickets[问题描述])"
    assert table.ref.endswith(str(total + 1)) and table.totalsRowCount == 1
    assert table.autoFilter.ref.endswith(str(total))
    assert [t.number for t in load_tracker(read_book(path)).tickets] == ["20240601-001", "20240602-001", number]


def test_a_total_row_follows_rows_the_archive_removes(tmp_path):
    closed = {"status": "已关闭", "first_response_at": datetime(2024, 5, 2, 9, 5), "assigned_at": datetime(2024, 5, 2, 9, 5),
              "resolved_at": datetime(2024, 5, 3, 9, 0), "closed_at": datetime(2024, 5, 3, 10, 0), "summary": "重启",
              "backup_done": "是"}
    path = typed(tmp_path / "t.xlsx", [{**BASE, "reported_at": datetime(2024, 5, 2, 9, 0), **closed}, *ROWS])
    total, _ = with_total_row(path)
    assert run("refresh", path, "--now", NOW).exit_code == 0
    result = run("archive", path, "--month", "2024-05", "--now", NOW)
    assert result.exit_code == 0, result.output
    ws = load_workbook(path)["工单"]
    assert ws.cell(total - 1, 1).value == "汇总" and ws.tables["Tickets"].ref.endswith(str(total - 1))
    assert len(load_tracker(read_book(path)).tickets) == 2


def test_a_workbook_in_the_1904_date_system_is_read_and_written_in_it(tmp_path):
    path = typed(tmp_path / "t.xlsx", ROWS)
    wb = load_workbook(path)
    wb.epoch = MAC_EPOCH  # Excel > Preferences > Calculation > Use the 1904 date system
    wb.save(path)
    assert run("refresh", path, "--now", NOW).exit_code == 0
    number = run("new", path, *NEW, "--now", NOW).output.strip()
    wb = load_workbook(path)  # openpyxl reads serials in the workbook's own date system
    assert wb.epoch == MAC_EPOCH
    rows = {r[0].value: r for r in wb["工单"].iter_rows(min_row=2) if r[0].value}
    assert rows[number][1].value == datetime(2024, 6, 15, 10, 0)
    assert rows["20240601-001"][1].value == datetime(2024, 6, 1, 9, 0)
    tracker = load_tracker(read_book(path))
    assert {t.number: t.reported_at for t in tracker.tickets}[number] == datetime(2024, 6, 15, 10, 0)


STRICT = {b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
          b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
          b"http://purl.oclc.org/ooxml/officeDocument/relationships"}


def test_strict_open_xml_is_refused_saying_so(tmp_path):
    path = typed(tmp_path / "t.xlsx", ROWS)
    strict = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(strict, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():  # the namespaces Excel writes for "Strict Open XML Spreadsheet"
            data = zin.read(item.filename)
            for old, new in STRICT.items():
                data = data.replace(old, new)
            zout.writestr(item, data)
    before = strict.read_bytes()
    for command in ("check", "refresh"):
        result = run(command, strict, "--now", NOW)
        assert result.exit_code == 1 and "Strict Open XML" in result.output, result.output
    assert strict.read_bytes() == before
