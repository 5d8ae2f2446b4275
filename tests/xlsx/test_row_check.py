"""The check of rows while they are written (row_check.py): it passes every honest patch and catches a
wrong value, a damaged cell, and a row lost, doubled or moved in the stream."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.core.errors import ReadBackMismatch, VerifyError
from workbook.xlsx import sheet_rows
from workbook.xlsx.row_check import RowCheck
from workbook.xlsx.sheet_rows import SheetPlan
from workbook.xlsx.sheet_xml import SheetXml, in_pieces

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet(rows: str) -> bytes:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def patched(xml: bytes, edits: dict, piece: int | None = None) -> tuple[bytes, RowCheck]:
    """The sheet patched with ``edits`` ((row, col) 0-based -> value), checked as written; its bytes
    read ``piece`` at a time."""
    part = SheetXml(lambda: in_pieces(xml, piece))
    check = RowCheck("Sheet1", part.root.nsmap)
    return b"".join(part.patch(SheetPlan("Sheet1", dict(edits)), check)), check


ROWS = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>T{r}</t></is></c><c r="B{r}" s="1"><v>{r}</v></c>'
               f'<c r="C{r}" ph="1" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(1, 9))

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | \
    st.sampled_from(["a & b < c > d", ' "quoted" \'single\' ', "\r\n\ttabs", "_x0041_ literal", "  ", "=1+1"])
values = st.one_of(st.none(), texts, st.booleans(), st.integers(-10**9, 10**9),
                   st.floats(-1e12, 1e12, allow_nan=False),
                   st.datetimes(datetime(1900, 3, 1), datetime(9999, 1, 1)).map(lambda d: d.replace(microsecond=0)))


@settings(max_examples=80, deadline=None)
@given(edits=st.dictionaries(st.tuples(st.integers(0, 9), st.integers(0, 5)), values, max_size=20),
       piece=st.none() | st.integers(1, 200))
def test_every_honest_patch_passes(edits, piece):
    out, check = patched(sheet(ROWS), edits, piece)
    assert check.complete and out.count(b"<row ") >= 8


def test_a_shared_formula_spelt_out_leaves_the_sheet_to_be_read_back_whole():
    rows = ('<row r="2"><c r="C2"><f t="shared" ref="C2:C4" si="0">A2*2</f><v>2</v></c></row>'
            '<row r="3"><c r="C3"><f t="shared" si="0"/><v>4</v></c></row>')
    _, check = patched(sheet(rows), {(1, 2): "mine"})
    assert not check.complete


def test_cells_beyond_the_grammar_are_read_by_lxml(monkeypatch):
    real = sheet_rows._value_xml
    # a rich-text run: well-formed, not what the patcher writes, read as its text
    monkeypatch.setattr(sheet_rows, "_value_xml", lambda v: (b' t="inlineStr"', b"<is><r><t>o</t></r><r><t>k</t></r></is>")
                        if v == "ok" else real(v))
    assert patched(sheet(ROWS), {(2, 3): "ok"})[1].complete
    monkeypatch.setattr(sheet_rows, "_value_xml", lambda v: (b' t="inlineStr"', b"<is><t>a<b</t></is>"))
    with pytest.raises(VerifyError, match="row 3 was written unreadable"):
        patched(sheet(ROWS), {(2, 3): "a<b"})


def test_a_raw_carriage_return_is_caught(monkeypatch):
    """XML reads a raw CR as LF: the grammar leaves it to lxml, which reads what Excel would."""
    monkeypatch.setattr(sheet_rows, "_value_xml", lambda v: (b' t="inlineStr"', b"<is><t>a\rb</t></is>"))
    with pytest.raises(ReadBackMismatch, match="reads back as 'a\\\\nb'"):
        patched(sheet(ROWS), {(2, 3): "a\rb"})


def test_wrong_values_are_caught(monkeypatch):
    real = sheet_rows._value_xml
    moment = datetime(2025, 11, 19, 15, 0)
    monkeypatch.setattr(sheet_rows, "_value_xml", lambda v: real(v + timedelta(seconds=2) if isinstance(v, datetime)
                                                                 else "y" if v == "x" else v))
    with pytest.raises(ReadBackMismatch, match="Sheet1!D3"):
        patched(sheet(ROWS), {(2, 3): moment})
    with pytest.raises(ReadBackMismatch, match="Sheet1!C5: reads back as 'y', not 'x'"):
        patched(sheet(ROWS), {(4, 2): "x"})


@pytest.mark.parametrize("first, then, spelt_as", [("x", "y", "x"), (True, 1, True)], ids=["text", "TRUE for 1"])
def test_a_cell_spelt_as_one_read_before_for_another_value_is_caught(monkeypatch, first, then, spelt_as):
    """Cells appended to rows are read once for each spelling: one spelt as another value was is
    still caught (and TRUE is not taken for 1, though True == 1)."""
    real = sheet_rows._value_xml
    monkeypatch.setattr(sheet_rows, "_value_xml",
                        lambda v: real(spelt_as if v == then and type(v) is type(then) else v))
    with pytest.raises(ReadBackMismatch, match="Sheet1!D4"):
        patched(sheet(ROWS), {(2, 3): first, (3, 3): then})


def _stretches_damaged(monkeypatch, damage):
    real = sheet_rows.Rows._untouched

    def damaged(self, *args):
        stretch = real(self, *args)
        try:
            while True:
                yield damage(bytes(next(stretch)))
        except StopIteration as stop:
            return stop.value
    monkeypatch.setattr(sheet_rows.Rows, "_untouched", damaged)


@pytest.mark.parametrize("damage, error", [
    (lambda rows: re.sub(rb'<row r="3">.*?</row>', b"", rows, count=1), "row 3 changed"),
    (lambda rows: re.sub(rb'(<row r="3">.*?</row>)', rb"\1\1", rows, count=1), "row 4 changed"),
    (lambda rows: re.sub(rb'(<row r="3">.*?</row>)(<row r="4">.*?</row>)', rb"\2\1", rows, count=1), "row 3 changed"),
    (lambda rows: rows.replace(b"T4", b"T5"), "row 4 changed"),
    (lambda rows: rows[:rows.rfind(b"<row")] if b'r="8"' in rows else rows, "A8: the row was never written"),
], ids=["lost", "doubled", "swapped", "altered", "cut short"])
def test_an_untouched_row_lost_doubled_moved_or_altered_is_caught(monkeypatch, damage, error):
    _stretches_damaged(monkeypatch, damage)
    with pytest.raises(VerifyError, match=error):
        patched(sheet(ROWS), {(0, 3): "first", (5, 3): "sixth"})


WINDOWS = [b'<row r="1"><c r="A1"><v>1</v></c></row><row r="2"/>', b'<row r="3"/>']


def test_a_window_left_before_its_end_is_caught():
    check = RowCheck("Sheet1", {None: MAIN})
    windows = check.windows(WINDOWS)

    def stream():  # the first row of the first window, then on to the next
        yield next(windows)[:39]
        yield next(windows)
    with pytest.raises(VerifyError, match="A2: the row was never written"):
        list(check.follow(stream()))


def test_a_window_never_read_is_caught():
    check = RowCheck("Sheet1", {None: MAIN})
    windows = check.windows(WINDOWS)
    with pytest.raises(VerifyError, match="A3: the row was never written"):
        list(check.follow(iter([next(windows)])))
    check = RowCheck("Sheet1", {None: MAIN})
    check.windows(WINDOWS)  # not one read
    with pytest.raises(VerifyError, match="A1: the row was never written"):
        list(check.follow(iter([])))


def test_windows_followed_to_their_ends_pass():
    check = RowCheck("Sheet1", {None: MAIN})
    assert b"".join(check.follow(iter(check.windows(WINDOWS)))) == b"".join(WINDOWS)
