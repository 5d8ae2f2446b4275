"""``refresh`` and ``check`` on the hostile corpus (tests/hostile.py): a clear error or the right result.

A broken file gives exit 1, no traceback, a message naming the file or the sheet, and the file's
bytes as they were. An odd but legitimate tracker gives the deadlines a normal one would.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from workbook.cli import main
from workbook.core.cells import col_index, col_letter
from workbook.core.errors import NotAWorkbook
from workbook.xlsx import safety
from workbook.xlsx.reader import read_book

from tests.support import hostile

RESPONSE_DUE = datetime(2024, 5, 20, 14, 45)  # P1 reported 14:30 + 15 min, 24x7


def run(*args: str):
    return CliRunner().invoke(main, [*args, "--now", hostile.NOW])


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` -> its sha256 (a folder counts as a name only)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*")) if not p.name.endswith(".lock")}


def tickets(path: Path) -> list[list]:
    rows = read_book(path).sheets["工单"].rows
    return [row for row in rows if any(v is not None for v in row)]


def column(path: Path, header: str) -> list:
    rows = tickets(path)
    header_row = next(r for r in rows if header in r)
    c = header_row.index(header)
    return [row[c] if c < len(row) else None for row in rows[rows.index(header_row) + 1:]]


# -- broken files ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["refresh", "check"])
@pytest.mark.parametrize("build", hostile.BROKEN.values(), ids=hostile.BROKEN.keys())
def test_broken_file_is_refused_clearly_and_left_alone(tmp_path, build, command):
    if build is hostile.duplicate_numbers and command == "refresh":
        pytest.skip("a number used twice is a row problem: refresh marks both rows (test_duplicate_numbers_...)")
    path = build(tmp_path)
    before = fingerprint(tmp_path)
    result = run(command, str(path))
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no exception escaped the CLI
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    if build is not hostile.duplicate_numbers:  # a bad cell is listed under a summary line
        assert len(lines) == 1, lines
    assert any(path.name in line or "工单" in line for line in lines), lines
    assert fingerprint(tmp_path) == before  # not a byte changed, no temp file left


def test_zip_bomb_is_refused_before_anything_inflates_it(tmp_path):
    result = run("check", str(hostile.zip_bomb(tmp_path)), "--lang", "en")
    assert "zip bomb" in result.output and "[工单]" in result.output


def test_entities_are_refused_not_expanded(tmp_path):
    for build in (hostile.billion_laughs, hostile.external_entity):
        result = run("check", str(build(tmp_path)))
        assert "DOCTYPE" in result.output and "root:" not in result.output and "lollol" not in result.output


def test_messages_say_what_the_file_really_is(tmp_path):
    expected = {hostile.encrypted: "password", hostile.xls_renamed: ".xls", hostile.csv_renamed: "CSV",
                hostile.far_row: "1048576", hostile.far_row_unnumbered: "1048576", hostile.far_column_unnumbered: "XFD",
                hostile.far_cell_in_an_unnumbered_row: "1048576",
                hostile.truncated: "damaged", hostile.empty: "empty"}
    for build, words in expected.items():
        assert words in run("check", str(build(tmp_path)), "--lang", "en").output, build.__name__


SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         b"<sheetData>%s</sheetData></worksheet>")


def _inline(text: bytes, attributes: bytes = b"") -> bytes:
    return b'<c t="inlineStr"' + attributes + b"><is><t>" + text + b"</t></is></c>"


LAYOUTS = {  # sheetData contents -> (rows, columns) as calamine lays them out
    "cells in turn": (b"<row>" + _inline(b"a") * 3 + b"</row>", (1, 3)),
    "rows in turn": ((b"<row>" + _inline(b"a") + b"</row>") * 3, (3, 1)),
    "after a numbered row": (b'<row r="5">' + _inline(b"a") + b"</row><row>" + _inline(b"b") * 2 + b"</row>", (6, 2)),
    "after a numbered cell": (b"<row>" + _inline(b"a", b' r="C1"') + _inline(b"b") + b"</row>", (1, 4)),
    "empty rows and cells count": (b"<row/>" * 4 + b"<row></row><row>" + b"<c/><c></c>" + _inline(b"a") + b"</row>",
                                   (6, 3)),
    "a cell's r wins over its row's": (b'<row r="2">' + _inline(b"a", b' r="B300"') + b"</row>", (300, 2)),
    "r not first, in quotes, in lower case": (b"<row r='2'>" + _inline(b"a", b" s='0' r='c2'") + b"</row>", (2, 3)),
    "a prefix": (b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 + b'<x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c>' * 3 + b"</x:row>", (1, 3)),
}


@pytest.mark.parametrize("cells, extent", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_a_sheet_that_leaves_out_r_is_measured_as_calamine_lays_it_out(tmp_path, cells, extent):
    path = tmp_path / "book.xlsx"
    book = Workbook()
    book.active["A1"] = "x"
    book.save(path)
    hostile.rewrite(path, "xl/worksheets/sheet1.xml", lambda data: SHEET % cells)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert (len(rows), max(map(len, rows))) == extent
    last_row, widest = safety._counted("book.xlsx", iter([SHEET % cells]))
    assert (last_row, col_index(widest) + 1) == extent


def test_a_sheet_that_leaves_out_r_and_is_not_well_formed_is_refused_as_damaged():
    unclosed = b"<worksheet><sheetData><row><c/><row><c/></row></sheetData></worksheet>"  # calamine reads on
    with pytest.raises(NotAWorkbook, match="damaged"):
        safety._counted("book.xlsx", iter([unclosed]))


@pytest.mark.parametrize("cell", [b"<c>", b"<c/>", b'<c s="1" r="B2">', b'<c\nr="B2">', b"<c r='B2'>", b'<c r="b2">'])
def test_the_quick_scan_hands_a_cell_that_does_not_start_with_r_to_the_layout(cell):
    assert safety._widest(b'<row r="2"><c r="A2"/>' + cell, "A") is None
    assert safety._widest(b'<row r="2"><c r="A2"/><c r="B2" s="1"/>', "A") == "B"


def test_a_cell_cut_by_the_chunk_boundary_waits_for_the_next_chunk_unless_too_long_for_its_tail():
    row = b'<row r="2"><c r="A2"/><c r="B2"/>'
    assert safety._widest(row + b'<c r="X', "B") == "B"  # read whole with the next chunk
    assert safety._widest(row + b"<c" + b" " * safety.TAIL + b'r="XFD2"', "B") is None


def test_the_quick_scan_finds_exactly_the_columns_past_the_widest():
    columns = [col_letter(c) for c in range(16384)]
    for widest in ("A", "Z", "AL", "AZ", "BA", "ZZ", "AAA", "AZZ", "XFC"):
        past = [c for c in columns if safety._past(widest).search(b'<c r="%s7"' % c.encode())]
        assert past == columns[col_index(widest) + 1:], widest


def test_duplicate_numbers_name_both_cells_and_refresh_marks_both_rows(tmp_path):
    path = hostile.duplicate_numbers(tmp_path)
    result = run("check", str(path))
    assert "工单!A3" in result.output and "工单!A2" in result.output
    numbers = column(path, "工单编号")
    result = run("refresh", str(path))
    assert result.exit_code == 0 and "工单!A3: [duplicate_number]" in result.output, result.output
    assert column(path, "工单编号") == numbers  # neither renumbered
    assert column(path, "SLA状态")[:2] == ["待补全", "待补全"]


def test_a_tracker_open_in_excel_is_not_written_behind_its_back(tmp_path):
    path = hostile.tracker(tmp_path)
    (tmp_path / f"~${path.name}").write_bytes(b"\0" * 165)  # Excel's owner file
    before = fingerprint(tmp_path)
    result = run("refresh", str(path))
    assert result.exit_code == 1 and "Excel" in result.output and fingerprint(tmp_path) == before


# -- odd but legitimate trackers --------------------------------------------------------------------------

def refreshed(path: Path) -> Path:
    result = run("refresh", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_header_below_a_title_is_found(tmp_path):
    path = refreshed(hostile.header_moved(tmp_path))
    assert tickets(path)[0][0] == "IT 支持工单 2024"
    assert column(path, "工单编号") == ["20240520-001"]
    assert column(path, "响应截止") == [RESPONSE_DUE]


def test_reordered_columns_and_a_user_column(tmp_path):
    path = refreshed(hostile.columns_reordered(tmp_path))
    assert column(path, "工单编号") == ["20240520-001"]
    assert column(path, "响应截止") == [RESPONSE_DUE]
    assert column(path, "我的备注") == ["keep me"]


def test_a_million_row_dimension_claim_is_only_a_claim(tmp_path):
    path = refreshed(hostile.dimension_claim(tmp_path))
    assert column(path, "响应截止") == [RESPONSE_DUE]


def test_emoji_cjk_formula_text_and_a_full_cell_survive(tmp_path):
    path = hostile.strange_text(tmp_path)
    before = column(path, "问题描述"), column(path, "报修人")
    refreshed(path)
    assert (column(path, "问题描述"), column(path, "报修人")) == before
    assert before[0][0].startswith("=HYPERLINK") and len(before[0][1]) == 32767
    assert run("check", str(path)).exit_code == 0


def test_dates_typed_as_text_count_and_become_dates(tmp_path):
    path = refreshed(hostile.dates_as_text(tmp_path))
    assert column(path, "响应截止") == [RESPONSE_DUE] * 3
    assert column(path, "报修时间") == [datetime(2024, 5, 20, 14, 30)] * 3


def test_formula_in_an_input_cell_is_read_through_its_saved_result_and_kept(tmp_path):
    path = refreshed(hostile.formula_inputs(tmp_path))
    assert column(path, "响应截止") == [RESPONSE_DUE]
    with zipfile.ZipFile(path) as z:
        assert b"<f>DATE(2024,5,20)+TIME(14,30,0)</f>" in z.read(hostile.SHEET1)


def test_formula_without_a_saved_result_is_an_empty_cell_named_by_check(tmp_path):
    path = hostile.formula_inputs(tmp_path, cached=False)
    before = fingerprint(tmp_path)
    assert "工单!B2" in run("check", str(path)).output
    assert fingerprint(tmp_path) == before
    result = run("refresh", str(path))  # the row is marked, the formula kept for Excel to compute
    assert result.exit_code == 0 and "工单!B2" in result.output
    assert column(path, "SLA状态") == ["待补全"]
    with zipfile.ZipFile(path) as z:
        assert b"<f>" in z.read(hostile.SHEET1)


def test_protected_sheet_is_refreshed_and_stays_protected(tmp_path):
    """Sheet protection guards cells against typing; the computed columns are the tool's to write."""
    path = refreshed(hostile.protected_sheet(tmp_path))
    assert column(path, "响应截止") == [RESPONSE_DUE]
    with zipfile.ZipFile(path) as z:
        assert b'<sheetProtection sheet="1"' in z.read(hostile.SHEET1)


def test_merged_cells_in_the_table(tmp_path):
    """The second ticket's description lies under a merge: check names the cell, refresh still runs."""
    path = hostile.merged_cells(tmp_path)
    result = run("check", str(path))
    assert result.exit_code == 1 and "工单!I3: [required]" in result.output
    refreshed(path)
    assert column(path, "响应截止") == [RESPONSE_DUE] * 2
    with zipfile.ZipFile(path) as z:
        assert re.search(rb'<mergeCell ref="I2:I3"/>', z.read(hostile.SHEET1))


def test_second_refresh_of_every_odd_tracker_changes_nothing(tmp_path):
    for build in (hostile.header_moved, hostile.columns_reordered, hostile.strange_text, hostile.dates_as_text,
                  hostile.merged_cells):
        folder = tmp_path / build.__name__
        folder.mkdir()
        path = refreshed(build(folder))
        before = path.read_bytes()
        result = run("refresh", str(path))
        assert result.exit_code == 0 and path.read_bytes() == before, (build.__name__, result.output)


@pytest.mark.parametrize("past", [0, 10, 50_000])
def test_a_member_inflating_just_past_a_chunk_is_read_whole(tmp_path, past):
    """python-isal may keep the end of a member inside once a chunk comes out full: it is asked again."""
    data = b"".join(b"<r>%d</r>" % i for i in range(200_000))[:safety.CHUNK + past]
    path = tmp_path / "book.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("x.xml", data)
    with zipfile.ZipFile(path) as z:
        assert b"".join(safety.inflated(z, z.getinfo("x.xml"))) == data
