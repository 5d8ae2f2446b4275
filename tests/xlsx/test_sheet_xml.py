"""The worksheet patcher on hand-written XML: cells, rows, ranges, formulas, styles."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from workbook.core.errors import InputError, NotEditable
from workbook.xlsx.ranges import Extension, RowMap, appended, grower, map_formula, map_ref, map_sqref
from workbook.xlsx import sheet_rows
from workbook.xlsx.sheet_rows import SheetPlan
from workbook.xlsx.sheet_xml import SheetXml, in_pieces, patch_sheet, patch_table
from workbook.xlsx.total_row import move_down, moved_down

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = {"m": MAIN, "x14": "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main",
      "xm": "http://schemas.microsoft.com/office/excel/2006/main"}


def sheet(rows: str, before: str = "", after: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="{MAIN}" '
            f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">{before}'
            f"<sheetData>{rows}</sheetData>{after}</worksheet>").encode()


def cells(xml: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(xml)
    return {c.get("r"): c for c in root.iter(f"{{{MAIN}}}c")}


def text(cell) -> str | None:
    """The cell's value as written: inline text, or <v>."""
    t = cell.find("m:is/m:t", NS)
    if t is not None:
        return t.text or ""
    v = cell.find("m:v", NS)
    return None if v is None else v.text


def read(xml: bytes, piece: int | None = None) -> SheetXml:
    return SheetXml(lambda: in_pieces(xml, piece))


def plan(edits=None, removed=(), **kw) -> SheetPlan:
    return SheetPlan("Sheet1", dict(edits or {}), set(removed), **kw)


ROWS = ('<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2" spans="1:3" ht="20" customHeight="1"><c r="A2" s="4"><v>1</v></c>'
        '<c r="B2" s="5" t="s" ph="1"><v>2</v></c><c r="C2"><f>A2*2</f><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>3</v></c><c r="C3"><f>A3*2</f><v>6</v></c></row>')


# -- cells ------------------------------------------------------------------------------------------

def test_untouched_rows_are_copied_verbatim():
    xml = sheet(ROWS)
    out = patch_sheet(xml, plan({(1, 0): 9}))
    assert b'<row r="3"><c r="A3"><v>3</v></c><c r="C3"><f>A3*2</f><v>6</v></c></row>' in out
    assert b'<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c>' in out


def test_overwrite_keeps_style_and_unknown_attributes_drops_old_type():
    out = cells(patch_sheet(sheet(ROWS), plan({(1, 1): "new"})))
    b2 = out["B2"]
    assert b2.get("s") == "5" and b2.get("ph") == "1" and b2.get("t") == "inlineStr"
    assert text(b2) == "new"


@pytest.mark.parametrize("typed", ["=1+1", "+8613800000000", "-x", "@x", "=SUM(A1:A3)"])
def test_strings_that_look_like_formulas_stay_text(typed):
    out = patch_sheet(sheet(ROWS), plan({(2, 1): typed}))
    cell = cells(out)["B3"]
    assert cell.get("t") == "inlineStr" and cell.find("m:f", NS) is None
    assert text(cell) == typed


def test_value_kinds():
    edits = {(0, 2): True, (0, 3): 42, (0, 4): 2.5, (0, 5): datetime(2024, 5, 20, 12, 0), (0, 6): date(2024, 5, 20)}
    out = cells(patch_sheet(sheet(ROWS), plan(edits)))
    assert (out["C1"].get("t"), text(out["C1"])) == ("b", "1")
    assert text(out["D1"]) == "42" and out["D1"].get("t") is None
    assert text(out["E1"]) == "2.5"
    assert float(text(out["F1"])) == pytest.approx(45432.5)
    assert float(text(out["G1"])) == 45432


def test_text_escapes():
    odd = " a<b>&c\x01_x0041_\r\n "
    out = patch_sheet(sheet(ROWS), plan({(0, 2): odd}))
    t = cells(out)["C1"].find("m:is/m:t", NS)
    assert t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert t.text == " a<b>&c_x0001__x005F_x0041__x000D_\n "


def test_new_cells_and_rows_go_in_order():
    out = patch_sheet(sheet(ROWS), plan({(1, 3): "d", (0, 2): "c", (5, 1): "new row", (3, 0): 4}))
    root = etree.fromstring(out)
    assert [r.get("r") for r in root.iter(f"{{{MAIN}}}row")] == ["1", "2", "3", "4", "6"]
    assert [c.get("r") for c in root.iter(f"{{{MAIN}}}c")] == [
        "A1", "B1", "C1", "A2", "B2", "C2", "D2", "A3", "C3", "A4", "B6"]


def test_edited_row_keeps_its_attributes_but_not_spans():
    out = patch_sheet(sheet(ROWS), plan({(1, 5): 1}))
    assert b'<row r="2" ht="20" customHeight="1">' in out


def test_none_clears_value_keeps_style_or_removes_bare_cell():
    out = cells(patch_sheet(sheet(ROWS), plan({(1, 0): None, (2, 0): None, (1, 2): None, (7, 7): None})))
    assert out["A2"].get("s") == "4" and len(out["A2"]) == 0
    assert "A3" not in out
    assert "C2" not in out  # a formula the change set owns goes too
    assert "H8" not in out


def test_unowned_formula_stays_owned_formula_replaced():
    out = cells(patch_sheet(sheet(ROWS), plan({(1, 2): 5})))
    assert out["C2"].find("m:f", NS) is None and text(out["C2"]) == "5"
    assert out["C3"].find("m:f", NS).text == "A3*2"


def test_cells_without_references_are_numbered():
    xml = sheet('<row><c t="s"><v>0</v></c><c><v>1</v></c></row><row><c><v>2</v></c></row>')
    out = cells(patch_sheet(xml, plan({(0, 1): 7, (1, 2): 8})))
    assert text(out["A1"]) == "0" and text(out["B1"]) == "7" and text(out["C2"]) == "8"
    assert text(out["A2"]) == "2"


def test_rows_skipped_to_an_edit_are_copied_up_to_one_without_its_number():
    """Rows before an edited one are copied as one stretch, but a row without its number (or not
    first) is written out with it, row by row, and the rest copied again after it."""
    rows = ('\n<row r="1"><c r="A1"><v>1</v></c></row>\n<row r="3"><c r="A3"><v>3</v></c></row>\n'
            '<row><c r="A4"><v>4</v></c></row><row spans="1:1" r="5"><c r="A5"><v>5</v></c></row>\n'
            '<row r="6"><c r="A6"><v>6</v></c></row>\n<row r="8"><c r="A8"><v>8</v></c></row>\n')
    out = patch_sheet(sheet(rows), plan({(2, 1): "third", (7, 1): "eighth"}))
    data = out[out.index(b"<sheetData>") + 11:out.index(b"</sheetData>")]
    assert data == (b'\n<row r="1"><c r="A1"><v>1</v></c></row>\n<row r="3"><c r="A3"><v>3</v></c>'
                    b'<c r="B3" t="inlineStr"><is><t>third</t></is></c></row>\n<row r="4"><c r="A4"><v>4</v></c></row>'
                    b'<row spans="1:1" r="5"><c r="A5"><v>5</v></c></row>\n<row r="6"><c r="A6"><v>6</v></c></row>\n'
                    b'<row r="8"><c r="A8"><v>8</v></c><c r="B8" t="inlineStr"><is><t>eighth</t></is></c></row>\n')


def test_rows_without_numbers_are_read_once(monkeypatch):
    """A sheet whose rows carry no numbers is written row by row, each row looked at a few times, not
    once for every row before it (the rows before a new row are walked once)."""
    calls = []
    real = sheet_rows._next_row
    monkeypatch.setattr(sheet_rows, "_next_row", lambda *args: calls.append(1) or real(*args))
    rows = "".join(f"<row><c><v>{r}</v></c></row>" for r in range(1, 2001))
    out = cells(patch_sheet(sheet(rows), plan({(1999, 1): "last", (2500, 0): "new"})))
    assert text(out["B2000"]) == "last" and text(out["A2501"]) == "new" and text(out["A1999"]) == "1999"
    assert len(calls) < 3 * 2000


def test_empty_sheet_data():
    out = patch_sheet(sheet("").replace(b"<sheetData></sheetData>", b"<sheetData/>"), plan({(1, 1): "x"}))
    assert text(cells(out)["B2"]) == "x"


def test_utf16_sheet_is_refused():
    with pytest.raises(NotEditable, match="UTF-8"):
        read(sheet(ROWS).replace(b'encoding="UTF-8"', b'encoding="UTF-16"'))
    read(sheet(ROWS).replace(b'encoding="UTF-8"', b"encoding='utf-8'"))


def test_prefixed_sheet_is_refused():
    xml = (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData/></x:worksheet>').encode()
    with pytest.raises(NotEditable, match="prefix"):
        read(xml)


# -- styles of new cells ------------------------------------------------------------------------------

COLS = '<cols><col min="2" max="3" width="12" style="7" customWidth="1"/></cols>'


def test_new_cell_takes_column_style_then_cell_above():
    rows = ('<row r="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="D1" s="1" t="s"><v>0</v></c></row>'
            '<row r="2"><c r="A2" s="3"><v>1</v></c><c r="D2" s="8"><v>1</v></c></row>')
    out = cells(patch_sheet(sheet(rows, COLS), plan({(2, 1): 1, (2, 3): 2, (1, 4): 3}, header_rows={1})))
    assert out["B3"].get("s") == "7"  # <cols>
    assert out["D3"].get("s") == "8"  # the cell above
    assert out["E2"].get("s") is None  # nothing above, no column style


def test_new_cells_down_a_column_take_the_style_written_above():
    rows = ('<row r="1"><c r="A1" s="1" t="s"><v>0</v></c></row>'
            + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in (2, 3, 4))
            + '<row r="5"><c r="A5"><v>5</v></c><c r="C5" s="6"><v>5</v></c></row>')
    edits = {(1, 1): datetime(2024, 1, 1, 8), (2, 1): "below a time", (3, 1): "and below that",
             (3, 2): "no style above", (5, 2): "below an old cell"}
    out = cells(patch_sheet(sheet(rows), plan(edits, header_rows={1}, date_style=lambda style, with_time: 99)))
    assert [out[ref].get("s") for ref in ("B2", "B3", "B4", "C4", "C6")] == ["99", "99", "99", None, "6"]


def test_new_cell_never_copies_the_header_style():
    rows = '<row r="1"><c r="A1" s="1" t="s"><v>0</v></c></row>'
    out = cells(patch_sheet(sheet(rows), plan({(1, 0): "first"}, header_rows={1})))
    assert out["A2"].get("s") is None


def test_dates_get_a_date_style():
    seen = []

    def date_style(style, with_time):
        seen.append((style, with_time))
        return 99
    rows = '<row r="2"><c r="A2" s="4"><v>1</v></c></row>'
    out = cells(patch_sheet(sheet(rows), plan({(1, 0): datetime(2024, 1, 1, 8), (1, 1): date(2024, 1, 1)},
                                              date_style=date_style)))
    assert out["A2"].get("s") == "99" and out["B2"].get("s") == "99"
    assert seen == [(4, True), (0, False)]


# -- removed rows -----------------------------------------------------------------------------------

def test_removed_rows_move_the_rest_up_with_their_formulas():
    rows = "".join(f'<row r="{r}" ht="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><f>A{r}+A$1+Other!A{r}</f>'
                   f"<v>0</v></c></row>" for r in range(1, 7))
    out = patch_sheet(sheet(rows), plan(removed={2, 3}))  # Excel rows 3 and 4
    root = etree.fromstring(out)
    assert [r.get("ht") for r in root.iter(f"{{{MAIN}}}row")] == ["1", "2", "5", "6"]
    got = cells(out)
    assert text(got["A3"]) == "5" and got["B3"].find("m:f", NS).text == "A3+A$1+Other!A5"
    assert got["B4"].find("m:f", NS).text == "A4+A$1+Other!A6"
    assert got["B2"].find("m:f", NS).text == "A2+A$1+Other!A2"


def test_formula_over_removed_rows_shrinks_and_points_to_ref_error():
    rows = ('<row r="1"><c r="A1"><f>SUM(A2:A9)</f><v>0</v></c><c r="B1"><f>A3*2</f><v>0</v></c></row>'
            + "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 10)))
    got = cells(patch_sheet(sheet(rows), plan(removed={2})))
    assert got["A1"].find("m:f", NS).text == "SUM(A2:A8)"
    assert got["B1"].find("m:f", NS).text == "#REF!*2"


def test_shared_formula_is_spelt_out_when_its_first_cell_is_overwritten():
    rows = ('<row r="2"><c r="C2"><f t="shared" ref="C2:C4" si="0">A2*2</f><v>2</v></c></row>'
            '<row r="3"><c r="C3"><f t="shared" si="0"/><v>4</v></c></row>'
            '<row r="4"><c r="C4"><f t="shared" si="0"/><v>6</v></c></row>')
    got = cells(patch_sheet(sheet(rows), plan({(1, 2): "mine"})))
    assert text(got["C2"]) == "mine"
    assert got["C3"].find("m:f", NS).text == "A3*2" and got["C3"].find("m:f", NS).get("t") is None
    assert got["C4"].find("m:f", NS).text == "A4*2"


def test_shared_formula_survives_row_removal():
    rows = ('<row r="2"><c r="C2"><f t="shared" ref="C2:C4" si="0">A2*2</f><v>2</v></c></row>'
            '<row r="3"><c r="C3"><f t="shared" si="0"/><v>4</v></c></row>'
            '<row r="4"><c r="C4"><f t="shared" si="0"/><v>6</v></c></row>')
    got = cells(patch_sheet(sheet(rows), plan(removed={1})))
    assert got["C2"].find("m:f", NS).text == "A2*2"
    assert got["C3"].find("m:f", NS).text == "A3*2"
    assert set(got) == {"C2", "C3"}


def test_written_and_removed_row_is_removed():
    got = cells(patch_sheet(sheet(ROWS), plan({(1, 0): 1, (1, 7): 2}, removed={1})))
    assert text(got["A2"]) == "3" and "H2" not in got


# -- ranges around the rows -------------------------------------------------------------------------

TAIL = ('<autoFilter ref="A1:C3"/><mergeCells count="2"><mergeCell ref="A2:B2"/><mergeCell ref="A3:A4"/>'
        '</mergeCells><conditionalFormatting sqref="A2:C3 E5"><cfRule type="expression" dxfId="0" priority="1">'
        '<formula>$A2&gt;1</formula></cfRule></conditionalFormatting><dataValidations count="2">'
        '<dataValidation type="list" sqref="B2:B3"><formula1>"a,b"</formula1></dataValidation>'
        '<dataValidation type="list" sqref="C2"><formula1>"a,b"</formula1></dataValidation></dataValidations>'
        '<hyperlinks><hyperlink ref="B2" r:id="rId1"/></hyperlinks>'
        '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="%s"><x14:conditionalFormattings>'
        '<x14:conditionalFormatting xmlns:xm="%s"><x14:cfRule type="dataBar" id="{1}"/>'
        '<xm:sqref>C2:C3</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>'
        % (NS["x14"], NS["xm"]))
HEAD = '<dimension ref="A1:C3"/>'


def test_appended_rows_extend_filter_validation_formats_and_dimension():
    xml = sheet(ROWS, HEAD, TAIL)
    s = read(xml)
    edits = {(3, 0): 4, (4, 1): "x"}
    extensions = appended(edits, [s.filter_area])
    assert extensions == [Extension(1, 3, 5)]
    root = etree.fromstring(b"".join(s.patch(plan(edits, extensions=extensions, header_rows={1}))))
    assert root.find("m:dimension", NS).get("ref") == "A1:C5"
    assert root.find("m:autoFilter", NS).get("ref") == "A1:C5"
    assert root.find("m:conditionalFormatting", NS).get("sqref") == "A2:C5 E5"
    assert [d.get("sqref") for d in root.iter(f"{{{MAIN}}}dataValidation")] == ["B2:B5", "C2"]
    assert root.find(".//xm:sqref", NS).text == "C2:C5"
    assert root.find(".//m:mergeCell", NS).get("ref") == "A2:B2"  # merges never grow


def test_removed_rows_shrink_ranges_and_drop_what_they_held():
    xml = sheet(ROWS + '<row r="4"><c r="A4"><v>4</v></c></row>', HEAD, TAIL)
    root = etree.fromstring(patch_sheet(xml, plan(removed={1})))  # Excel row 2
    assert root.find("m:autoFilter", NS).get("ref") == "A1:C2"
    assert root.find("m:conditionalFormatting", NS).get("sqref") == "A2:C2 E4"
    assert [d.get("sqref") for d in root.iter(f"{{{MAIN}}}dataValidation")] == ["B2"]
    assert root.find("m:dataValidations", NS).get("count") == "1"
    assert [m.get("ref") for m in root.iter(f"{{{MAIN}}}mergeCell")] == ["A2:A3"]
    assert root.find("m:mergeCells", NS).get("count") == "1"
    assert root.find("m:hyperlinks", NS) is None  # its only link was on the removed row
    assert root.find(".//xm:sqref", NS).text == "C2"


def test_sparklines_of_removed_rows_go():
    spark = ('<x14:sparkline><xm:f>Sheet1!A{r}:B{r}</xm:f><xm:sqref>D{r}</xm:sqref></x14:sparkline>')
    tail = (f'<extLst><ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{NS["x14"]}">'
            f'<x14:sparklineGroups xmlns:xm="{NS["xm"]}"><x14:sparklineGroup><x14:colorSeries theme="4"/>'
            f"<x14:sparklines>{spark.format(r=2)}{spark.format(r=3)}</x14:sparklines></x14:sparklineGroup>"
            f"<x14:sparklineGroup><x14:sparklines>{spark.format(r=2)}</x14:sparklines></x14:sparklineGroup>"
            f"</x14:sparklineGroups></ext></extLst>")
    root = etree.fromstring(patch_sheet(sheet(ROWS, "", tail), plan(removed={1})))
    lines = root.findall(".//x14:sparkline", NS)
    assert [(s.find("xm:f", NS).text, s.find("xm:sqref", NS).text) for s in lines] == [("Sheet1!A2:B2", "D2")]
    assert len(root.findall(".//x14:sparklineGroup", NS)) == 1


def test_skeleton_untouched_when_nothing_around_rows_changes():
    xml = sheet(ROWS, '<dimension ref="A1:C3"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>',
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
    out = patch_sheet(xml, plan({(0, 0): 1}))
    assert out.startswith(xml[:xml.index(b"<sheetData>")])
    assert out.endswith(xml[xml.index(b"</sheetData>"):])


TABLE = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<table xmlns="{MAIN}" id="1" name="T" '
         f'displayName="T" ref="A1:C3"><autoFilter ref="A1:C3"/><sortState ref="A2:C3"><sortCondition ref="A2:A3"/>'
         f'</sortState><tableColumns count="3"><tableColumn id="1" name="a"/><tableColumn id="2" name="b"/>'
         f'<tableColumn id="3" name="c"/></tableColumns></table>').encode()


def test_table_follows_appended_and_removed_rows():
    grown = etree.fromstring(patch_table(TABLE, [Extension(1, 3, 6)], RowMap()))
    assert grown.get("ref") == "A1:C6" and grown.find("m:autoFilter", NS).get("ref") == "A1:C6"
    assert grown.find(".//m:sortCondition", NS).get("ref") == "A2:A6"
    shrunk = etree.fromstring(patch_table(TABLE, [], RowMap([2, 3])))
    assert shrunk.get("ref") == "A1:C2"  # a table keeps one data row
    assert patch_table(TABLE, [], RowMap([7])) is None
    assert patch_table(TABLE, [Extension(1, 3, 6)], RowMap()).startswith(
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<table')


# -- range arithmetic -------------------------------------------------------------------------------

def test_row_map():
    rows = RowMap([3, 5, 6])
    assert [rows.row(r) for r in range(1, 9)] == [1, 2, None, 3, None, None, 4, 5]
    assert rows.span(2, 8) == (2, 5)
    assert rows.span(3, 3) is None
    assert rows.span(5, 7) == (4, 4)


def test_map_ref_forms():
    rows = RowMap([2])
    assert map_ref("$A$3:$C$9", rows.span) == "$A$2:$C$8"
    assert map_ref("B2", rows.span) is None
    assert map_ref("4:6", rows.span) == "3:5"
    assert map_ref("A:C", rows.span) == "A:C"
    assert map_sqref("A1 B2 C3:C4", rows.span) == "A1 C2:C3"


def test_grower_rules():
    cells_rule, ranges_rule = grower([Extension(1, 3, 9)], True), grower([Extension(1, 3, 9)], False)
    assert cells_rule(2, 3) == (2, 9) and ranges_rule(2, 3) == (2, 9)
    assert cells_rule(3, 3) == (3, 9) and ranges_rule(3, 3) == (3, 3)  # one cell: validations only
    assert cells_rule(1, 1) == (1, 1)
    header_only = grower([Extension(1, 1, 4)], False)
    assert header_only(1, 1) == (1, 4)  # a filter over a table with no rows yet
    assert cells_rule(2, 4) == (2, 4)


def test_map_formula_touches_only_this_sheet():
    rows = RowMap([2])
    f = "SUM('My Sheet'!$B$3:B9)+Other!B3+B3+'Other ''x'''!B3"
    assert map_formula(f, "My Sheet", rows.span, bare=False) == "SUM('My Sheet'!$B$2:B8)+Other!B3+B3+'Other ''x'''!B3"
    assert map_formula(f, "My Sheet", rows.span, bare=True) == "SUM('My Sheet'!$B$2:B8)+Other!B3+B2+'Other ''x'''!B3"
    assert map_formula("Tickets[[#This Row],[a]]*2", "S", rows.span, bare=True) == "Tickets[[#This Row],[a]]*2"


# -- a property: the patched sheet reads as the model says ---------------------------------------------

values = st.one_of(st.none(), st.integers(-10**6, 10**6), st.text(max_size=8), st.booleans())


@settings(max_examples=60, deadline=None)
@given(start=st.dictionaries(st.tuples(st.integers(0, 6), st.integers(0, 4)), st.integers(0, 99), max_size=20),
       edits=st.dictionaries(st.tuples(st.integers(0, 8), st.integers(0, 5)), values, max_size=15),
       removed=st.sets(st.integers(0, 8), max_size=3))
def test_patched_sheet_matches_model(start, edits, removed):
    edits = {k: v for k, v in edits.items() if k[0] not in removed}
    rows = {}
    for (r, c), v in sorted(start.items()):
        rows.setdefault(r, []).append(f'<c r="{chr(65 + c)}{r + 1}"><v>{v}</v></c>')
    xml = sheet("".join(f'<row r="{r + 1}">{"".join(cs)}</row>' for r, cs in sorted(rows.items())))
    model = {k: v for k, v in start.items()}
    for k, v in edits.items():
        if v is None:
            model.pop(k, None)
        else:
            model[k] = v
    shift = RowMap(r + 1 for r in removed)
    want = {(shift.row(r + 1), c): v for (r, c), v in model.items() if r not in removed}
    got = {}
    root = etree.fromstring(patch_sheet(xml, plan(edits, removed)))
    last = 0
    for row in root.iter(f"{{{MAIN}}}row"):
        assert int(row.get("r")) > last
        last = int(row.get("r"))
        cols = [ord(c.get("r")[0]) for c in row]
        assert cols == sorted(cols) and all(c.get("r")[1:] == row.get("r") for c in row)
        for c in row:
            got[(last, ord(c.get("r")[0]) - 65)] = _read(c)
    assert got == want


def _read(cell):
    if cell.get("t") == "b":
        return bool(int(cell.find("m:v", NS).text))
    if cell.get("t") == "inlineStr":  # undo the format's _xHHHH_ escapes, as Excel and calamine do
        return re.sub("_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), cell.find("m:is/m:t", NS).text or "")
    return int(cell.find("m:v", NS).text)


def test_appended_table_rows_get_the_calculated_column_formula():
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2"><v>1</v></c>'
            '<c r="C2"><f>A2*2</f><v>2</v></c></row><row r="4"><c r="C4"><v>99</v></c></row>')
    edits = {(2, 0): 5, (3, 0): 6, (5, 1): 7}
    grown = Extension(1, 2, 6)
    got = cells(patch_sheet(sheet(rows), plan(edits, extensions=[grown], header_rows={1},
                                                calculated={2: (grown, "A2*2")})))
    assert got["C3"].find("m:f", NS).text == "A3*2"
    assert text(got["C4"]) == "99" and got["C4"].find("m:f", NS) is None  # a value already there stays
    assert got["C6"].find("m:f", NS).text == "A6*2"
    assert "C5" not in got  # no row written there


def test_threaded_comments_follow_rows():
    from workbook.xlsx.row_anchors import patch_comments
    xml = (b'<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
           b'<threadedComment ref="C2" id="{1}"/><threadedComment ref="C5" id="{2}"/>'
           b'<threadedComment ref="C5" id="{3}" parentId="{2}"/></ThreadedComments>')
    out = etree.fromstring(patch_comments(xml, RowMap([2])))
    assert [(c.get("ref"), c.get("id")) for c in out] == [("C4", "{2}"), ("C4", "{3}")]
    assert patch_comments(xml, RowMap([9])) is None


# -- a part read in pieces: its rows never held whole ------------------------------------------------

# Rows of every kind the patcher reads: numbered and not, empty, spaced apart, a shared formula, spans.
VARIED = (ROWS + '\n  <row r="4"><c r="A4"><f t="shared" ref="A4:A6" si="0">B4*2</f><v>2</v></c><c r="B4"><v>1</v></c></row>'
          '\n  <row r="5"/><row><c r="A6"><f t="shared" si="0"/><v>4</v></c></row>'
          '<row r="8" spans="1:2"><c r="B8" t="inlineStr"><is><t>a longer text than a piece</t></is></c></row>\n')


@pytest.mark.parametrize("piece", [1, 2, 11, 12, 13, 50, None])
def test_head_body_and_tail_are_found_whatever_the_pieces(piece):
    xml = sheet(VARIED, COLS + HEAD, TAIL)
    whole, cut = read(xml), read(xml, piece)
    assert (cut.head, cut.body, cut.tail) == (whole.head, whole.body, whole.tail)
    assert xml[slice(*cut.body)] == VARIED.encode() and cut.tail == TAIL.encode() + b"</worksheet>"
    empty = sheet("", COLS, TAIL).replace(b"<sheetData></sheetData>", b"<sheetData/>")
    assert read(empty, piece).tail == TAIL.encode() + b"</worksheet>"


@pytest.mark.parametrize("piece", [1, 7, None])
def test_parts_beyond_patching_are_refused_whatever_the_pieces(piece):
    with pytest.raises(NotEditable, match="UTF-8"):
        read(sheet(ROWS).replace(b'encoding="UTF-8"', b'encoding="UTF-16"'), piece)
    with pytest.raises(NotEditable, match="no <sheetData>"):
        read(sheet(ROWS).replace(b"sheetData", b"rows"), piece)
    with pytest.raises(etree.XMLSyntaxError):  # never closed: lxml says so, as of any broken part
        read(sheet(ROWS).replace(b"</sheetData>", b""), piece)


@settings(max_examples=60, deadline=None)
@given(piece=st.integers(1, 60))
def test_whole_rows_cuts_only_before_a_row(piece):
    body = VARIED.encode()
    windows = list(sheet_rows.whole_rows(in_pieces(body, piece)))
    assert b"".join(windows) == body
    for window in windows:
        assert re.fullmatch(rb"\s*(?:<row\b[^>]*?(?:/>|>.*?</row>)\s*)*", window, re.S), window


@settings(max_examples=80, deadline=None)
@given(piece=st.integers(1, 80),
       edits=st.dictionaries(st.tuples(st.integers(0, 9), st.integers(0, 3)), values, max_size=8),
       removed=st.sets(st.integers(0, 9), max_size=2))
def test_a_sheet_read_in_pieces_is_patched_as_read_whole(piece, edits, removed):
    xml = sheet(VARIED, HEAD, TAIL)
    assert patch_sheet(xml, plan(edits, removed), piece) == patch_sheet(xml, plan(edits, removed))


TOTALS = ('<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
          '<row r="3"><c r="A3" t="inlineStr"><is><t>total</t></is></c></row><row r="4"/><row r="5"/>'
          '<row r="6"><c r="B6"><v>6</v></c></row>')


@pytest.mark.parametrize("piece", [1, 9, 40, None])
def test_a_total_row_moves_down_the_same_from_pieces(piece):
    xml = sheet(TOTALS)
    whole = move_down(xml, "Sheet1", 3, 3, 2)
    assert b'<row r="5"><c r="A5" t="inlineStr">' in whole
    assert b"".join(moved_down(in_pieces(xml, piece), "Sheet1", 3, 3, 2)) == whole
    with pytest.raises(InputError):  # row 6 holds a cell: the Total Row cannot go there
        b"".join(moved_down(in_pieces(xml, piece), "Sheet1", 3, 3, 3))
