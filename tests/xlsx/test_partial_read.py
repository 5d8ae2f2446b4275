"""read_partial leaves out the rows a caller knows by their digest (or by the sheet's prefix) and reads
the others exactly as read_book reads them; skim_sheets takes the digests without reading a value."""

from __future__ import annotations

import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings, strategies as st

from tests.support.engine_fixtures import part
from tests.support.hostile import rewrite
from workbook.core.book import BookData
from workbook.core.errors import FileProblem, NotAWorkbook
from workbook.core.row_digests import Known
from workbook.xlsx import partial_read, safety
from workbook.xlsx.package import Package
from workbook.xlsx.partial_read import read_partial, skim_sheets
from workbook.xlsx.reader import read_book

TICKETS, LOG, NOTES = "Tickets", "Log", "Notes"


def rows_of(count: int, start: int = 0) -> list[list]:
    """A header and ``count`` rows of every kind of value, with empty cells between."""
    rows = [["no", "when", "who", "done", "hours", "note"]]
    for i in range(start, start + count):
        rows.append([f"T-{i:03}", datetime(2024, 5, 1 + i % 28, 9, i % 60), ["王芳", "张伟", "Li"][i % 3],
                     i % 2 == 0, i * 1.5 if i % 4 else None, None if i % 3 else f"note {i}"])
    return rows


BOOK = {TICKETS: rows_of(30), LOG: rows_of(40, 100), NOTES: [["a", 1], ["b", 2]]}


def xlsxwriter_book(path: Path, sheets: dict[str, list[list]], **options) -> Path:
    """A workbook as XlsxWriter writes it: shared strings, or inline ones with constant_memory."""
    book = xlsxwriter.Workbook(path, options)
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, (datetime, date)):
                    sheet.write_datetime(r, c, value, when)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write_number(r, c, value)
    book.close()
    return path


def openpyxl_book(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook as openpyxl writes it."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(r, c, value).number_format = "yyyy-mm-dd hh:mm" if isinstance(value, datetime) else "General"
    book.save(path)
    return path


WRITERS = {  # openpyxl writes inline strings, its characters as references; XlsxWriter shared strings
    "openpyxl": openpyxl_book,
    "xlsxwriter": xlsxwriter_book,
    "xlsxwriter inline strings": lambda path, sheets: xlsxwriter_book(path, sheets, constant_memory=True),
}


def known_but(path: Path, sheet: str, read: set[int]) -> tuple[dict[str, Known], bytes, set[int]]:
    """``known`` naming every row of ``sheet`` but ``read`` by its digest; the context; the rows known."""
    skims, context = skim_sheets(path, {sheet: None})
    digests = skims[sheet].digests
    rows = {r for r, d in enumerate(digests) if d is not None and r not in read}
    return {sheet: Known(frozenset(digests[r] for r in rows))}, context, rows


def assert_read_as_whole(partial: BookData, path: Path, left_out: dict[str, set[int]]) -> None:
    """The rows of ``left_out`` are empty, every other row holds what read_book reads (a row read may
    end before read_book's does: at the widest row read, not the sheet's)."""
    whole = read_book(path)
    assert list(partial.sheets) == list(whole.sheets)
    assert partial.total_rows == whole.total_rows
    for name, sheet in partial.sheets.items():
        expected, out = whole.sheets[name].rows, left_out.get(name, set())
        for r in range(max(len(sheet.rows), len(expected))):
            got = sheet.rows[r] if r < len(sheet.rows) else []
            if r in out:
                assert not any(got), (name, r)
            else:
                assert trimmed(got) == trimmed(expected[r] if r < len(expected) else []), (name, r)


def trimmed(row: list) -> list:
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return row[:end]


# -- rows known by their digest -----------------------------------------------------------------------

@pytest.mark.parametrize("writer", WRITERS)
def test_rows_known_by_digest_are_left_out_and_the_others_read_as_read_book_reads_them(tmp_path, writer):
    path = WRITERS[writer](tmp_path / "book.xlsx", BOOK)
    known, context, rows = known_but(path, TICKETS, read={0, 4, 9, 10, 30})
    book = read_partial(path, known, context)
    assert book.skims[TICKETS].left_out == rows
    assert book.context == context
    assert_read_as_whole(book, path, {TICKETS: rows})
    assert book.sheets[NOTES] == read_book(path).sheets[NOTES]  # a sheet not known: read_book's own
    assert book.sheets[TICKETS].longest_text == max(len(v) for r in (0, 4, 9, 10, 30)
                                                    for v in book.sheets[TICKETS].rows[r] if isinstance(v, str))


def test_every_row_known_parses_none(tmp_path):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK)
    known, context, rows = known_but(path, TICKETS, read=set())
    book = read_partial(path, known, context)
    assert book.sheets[TICKETS].rows == [[]] * 31
    assert book.skims[TICKETS].left_out == rows == set(range(31))


def test_the_digests_read_are_the_digests_skimmed(tmp_path):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK)
    skims, context = skim_sheets(path, {TICKETS: None, LOG: None})
    book = read_partial(path, {TICKETS: Known(), LOG: Known()}, context)
    for name in (TICKETS, LOG):
        assert book.skims[name].digests == skims[name].digests
        assert book.skims[name].prefix == skims[name].prefix
        assert len(skims[name].digests) == len(set(skims[name].digests)) == len(BOOK[name])
    assert_read_as_whole(book, path, {})


def test_an_edited_row_is_read_again(tmp_path):
    before = xlsxwriter_book(tmp_path / "before.xlsx", BOOK, constant_memory=True)
    known, context, rows = known_but(before, TICKETS, read=set())
    edited = [row[:] for row in BOOK[TICKETS]]
    edited[7][4] = 99.25
    after = xlsxwriter_book(tmp_path / "after.xlsx", {**BOOK, TICKETS: edited}, constant_memory=True)
    book = read_partial(after, known, context)
    assert book.skims[TICKETS].left_out == rows - {7}
    assert book.sheets[TICKETS].rows[7][4] == 99.25
    assert_read_as_whole(book, after, {TICKETS: rows - {7}})


def test_a_row_read_again_is_checked_as_a_whole_read_checks_it(tmp_path):
    """The streamed sheets are not scanned before the read (check_package's ``streamed``): the rows
    kept are, under their own numbers, and a hostile one is refused as a whole read refuses it."""
    before = xlsxwriter_book(tmp_path / "before.xlsx", BOOK, constant_memory=True)
    known, context, _ = known_but(before, TICKETS, read=set())
    after = rewrite(before, "xl/worksheets/sheet1.xml", lambda data: re.sub(
        rb'(<c r="B9" s="1"><v>)[^<]*', rb"\g<1>-1e12", data), out=tmp_path / "after.xlsx")
    with pytest.raises(FileProblem) as whole:
        read_book(after)
    with pytest.raises(FileProblem) as partial:
        read_partial(after, known, context)
    assert str(partial.value) == str(whole.value) and "B9" in str(partial.value)


def test_rows_below_an_inserted_row_are_read_again(tmp_path):
    before = xlsxwriter_book(tmp_path / "before.xlsx", BOOK, constant_memory=True)
    known, context, rows = known_but(before, TICKETS, read=set())
    inserted = BOOK[TICKETS][:5] + [["new"]] + BOOK[TICKETS][5:]
    after = xlsxwriter_book(tmp_path / "after.xlsx", {**BOOK, TICKETS: inserted}, constant_memory=True)
    book = read_partial(after, known, context)
    assert book.skims[TICKETS].left_out == set(range(5))
    assert book.sheets[TICKETS].rows[5][0] == "new"
    assert_read_as_whole(book, after, {TICKETS: set(range(5))})


# -- the Log's prefix ---------------------------------------------------------------------------------

def test_a_sheet_still_beginning_with_the_prefix_leaves_its_rows_out_but_the_wanted(tmp_path):
    before = xlsxwriter_book(tmp_path / "before.xlsx", BOOK, constant_memory=True)
    skims, context = skim_sheets(before, {LOG: 25})
    prefix = skims[LOG].prefix
    assert prefix.end_row == 25
    longer = {**BOOK, LOG: BOOK[LOG] + rows_of(6, 500)[1:]}
    after = xlsxwriter_book(tmp_path / "after.xlsx", longer, constant_memory=True)
    wanted = frozenset({0, 3, 24})
    book = read_partial(after, {LOG: Known(prefix=prefix, wanted=wanted)}, context)
    skim = book.skims[LOG]
    assert skim.prefix_kept and skim.left_out == set()
    assert_read_as_whole(book, after, {LOG: set(range(25)) - wanted})
    assert skim.prefix.end_row == len(longer[LOG]) and skim.prefix.size > prefix.size
    assert book.sheets[LOG].rows[46][0] == "T-505"


def test_the_rows_of_a_kept_prefix_are_not_digested(tmp_path):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK, constant_memory=True)
    skims, context = skim_sheets(path, {LOG: 25})
    digests = skims[LOG].digests
    book = read_partial(path, {LOG: Known(prefix=skims[LOG].prefix, wanted=frozenset({2}))}, context)
    assert book.skims[LOG].digests == [None] * 25 + digests[25:]
    assert book.skims[LOG].prefix == skim_sheets(path, {LOG: None})[0][LOG].prefix


@pytest.mark.parametrize("spelling", ["spans before r", "a wanted row missing", "rows without r"])
def test_the_wanted_rows_of_a_prefix_spelt_otherwise(tmp_path, spelling):
    log = BOOK[LOG][:8] + [[]] + BOOK[LOG][8:]  # row 9 has no <row> element
    path = xlsxwriter_book(tmp_path / "book.xlsx", {**BOOK, LOG: log})
    if spelling == "spans before r":
        rewrite(path, "xl/worksheets/sheet2.xml", lambda data: re.sub(rb'<row r="(\d+)" spans="([^"]*)"',
                                                                      rb'<row spans="\2" r="\1"', data))
    if spelling == "rows without r":
        rewrite(path, "xl/worksheets/sheet2.xml", lambda data: re.sub(rb'<row r="(1[1-9]|2[0-3])"', b"<row", data))
    skims, context = skim_sheets(path, {LOG: 25})
    wanted = frozenset({1, 8, 12, 18} if spelling == "a wanted row missing" else {1, 12, 18})
    book = read_partial(path, {LOG: Known(prefix=skims[LOG].prefix, wanted=wanted)}, context)
    assert book.skims[LOG].prefix_kept
    assert_read_as_whole(book, path, {LOG: set(range(25)) - wanted})
    assert [book.sheets[LOG].rows[r][0] for r in (1, 12, 18)] == ["T-100", "T-110", "T-116"]


def test_a_sheet_not_beginning_with_the_prefix_is_read_whole(tmp_path):
    before = xlsxwriter_book(tmp_path / "before.xlsx", BOOK, constant_memory=True)
    skims, context = skim_sheets(before, {LOG: 25})
    edited = [row[:] for row in BOOK[LOG]]
    edited[12][2] = "edited"
    after = xlsxwriter_book(tmp_path / "after.xlsx", {**BOOK, LOG: edited}, constant_memory=True)
    book = read_partial(after, {LOG: Known(prefix=skims[LOG].prefix)}, context)
    assert not book.skims[LOG].prefix_kept
    assert book.sheets[LOG] == read_book(after).sheets[LOG]


def test_a_prefix_longer_than_the_sheet_reads_it_whole(tmp_path):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK, constant_memory=True)
    skims, context = skim_sheets(path, {LOG: 25})
    prefix = skims[LOG].prefix
    longer = type(prefix)(prefix.size + 10**6, prefix.digest, prefix.end_row)
    book = read_partial(path, {LOG: Known(prefix=longer)}, context)
    assert not book.skims[LOG].prefix_kept
    assert book.sheets[LOG] == read_book(path).sheets[LOG]


def test_skimmed_prefixes(tmp_path):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK)
    skims, _ = skim_sheets(path, {TICKETS: None, LOG: 0})
    assert skims[TICKETS].prefix.end_row == 31 and skims[LOG].prefix.end_row == 0
    assert skims[LOG].prefix.size < 100  # only what comes before the first row
    assert skim_sheets(path, {TICKETS: 500})[0][TICKETS].prefix == skims[TICKETS].prefix


# -- the book's context -------------------------------------------------------------------------------

def test_other_styles_read_the_book_whole(tmp_path):
    before = xlsxwriter_book(tmp_path / "before.xlsx", BOOK)
    known, context, _ = known_but(before, TICKETS, read=set())
    after = rewrite(before, "xl/styles.xml", lambda data: data.replace(b'formatCode="yyyy-mm-dd hh:mm"',
                                                                       b'formatCode="0.00"'),
                    out=tmp_path / "after.xlsx")
    book = read_partial(after, known, context)
    assert book.skims == {} and book.context != context
    assert book.sheets == read_book(after).sheets
    assert isinstance(book.sheets[TICKETS].rows[1][1], float)  # the row as its new style reads it


def test_other_shared_strings_read_the_book_whole(tmp_path):
    before = xlsxwriter_book(tmp_path / "before.xlsx", BOOK)
    known, context, _ = known_but(before, TICKETS, read=set())
    after = rewrite(before, "xl/sharedStrings.xml", lambda data: data.replace(b">Li<", b">Lu<"),
                    out=tmp_path / "after.xlsx")
    book = read_partial(after, known, context)
    assert book.skims == {} and book.context != context
    assert book.sheets == read_book(after).sheets


def test_a_1904_workbook(tmp_path):
    path = xlsxwriter_book(tmp_path / "1904.xlsx", BOOK, date_1904=True)
    known, context, rows = known_but(path, TICKETS, read={2, 3})
    book = read_partial(path, known, context)
    assert book.sheets[TICKETS].rows[2][1] == datetime(2024, 5, 2, 9, 1)
    assert_read_as_whole(book, path, {TICKETS: rows})
    in_1900 = xlsxwriter_book(tmp_path / "1900.xlsx", BOOK)
    assert skim_sheets(in_1900, {TICKETS: None})[1] != context


def test_the_context_is_the_books_whichever_sheets_are_named(tmp_path):
    """The context taken after a write (no sheet named) is the one the next read compares."""
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK)
    _, context = skim_sheets(path, {TICKETS: None})
    assert skim_sheets(path, {LOG: None})[1] == skim_sheets(path, {})[1] == context
    swapped = xlsxwriter_book(tmp_path / "swapped.xlsx", {LOG: BOOK[TICKETS], TICKETS: BOOK[LOG], NOTES: BOOK[NOTES]})
    assert skim_sheets(swapped, {})[1] != context  # the same names on other parts
    assert read_partial(swapped, {LOG: Known()}, context).skims == {}


# -- the tracker, as the file engine writes it --------------------------------------------------------

def test_the_tracker(tracker):
    pkg = Package.open(tracker)
    tickets, log = list(pkg.sheet_parts())[:2]
    skims, context = skim_sheets(tracker, {tickets: None, log: 60})
    digests = skims[tickets].digests
    known_rows = {r for r in range(len(digests)) if r % 4}
    wanted = frozenset(range(0, 60, 5))
    known = {tickets: Known(frozenset(digests[r] for r in known_rows)),
             log: Known(prefix=skims[log].prefix, wanted=wanted)}
    book = read_partial(tracker, known, context)
    assert book.skims[tickets].left_out == known_rows
    assert book.skims[log].prefix_kept
    assert_read_as_whole(book, tracker, {tickets: known_rows, log: set(range(60)) - wanted})


def test_rows_cut_by_the_chunks_they_inflate_in(tracker, monkeypatch):
    pkg = Package.open(tracker)
    tickets, log = list(pkg.sheet_parts())[:2]
    skims, context = skim_sheets(tracker, {tickets: None, log: 40})
    known = {tickets: Known(frozenset(skims[tickets].digests[1::2])), log: Known(prefix=skims[log].prefix)}
    whole = read_partial(tracker, known, context)

    def in_small_chunks(package, info):  # rows a few hundred bytes long span chunks
        for chunk in safety.inflated(package, info):
            yield from (chunk[i:i + 101] for i in range(0, len(chunk), 101))
    monkeypatch.setattr(partial_read, "inflated", in_small_chunks)
    monkeypatch.setattr(partial_read, "ROWS_A_WRITE", 3)
    assert skim_sheets(tracker, {tickets: None, log: 40}) == (skims, context)
    assert read_partial(tracker, known, context) == whole


# -- sheets spelt otherwise ---------------------------------------------------------------------------

def test_empty_rows_rows_and_cells_without_r_and_space_between_rows(tmp_path):
    gap = {**BOOK, TICKETS: BOOK[TICKETS][:3] + [[]] + BOOK[TICKETS][3:]}  # no row 4
    path = xlsxwriter_book(tmp_path / "book.xlsx", gap, constant_memory=True)

    def odd(data: bytes) -> bytes:
        data = data.replace(b'<row r="5"', b'<row r="4" spans="1:6"/>\n  <row r="5"')
        data = re.sub(rb'<row r="12"(.*?)</row>', lambda m: b"<row" + re.sub(rb' r="[A-Z]+12"', b"", m.group(1))
                      + b"</row>", data)  # row 12 after row 11, its cells one after another
        return data.replace(b'<c r="C14" t="inlineStr"', b'<c t="inlineStr" r="C14"').replace(b"</row>", b"</row>\r\n")
    rewrite(path, "xl/worksheets/sheet1.xml", odd)
    known, context, rows = known_but(path, TICKETS, read={5, 11, 13})
    assert {3, 12} <= rows  # the empty row and the row without r= have their digests
    book = read_partial(path, known, context)
    assert book.skims[TICKETS].left_out == rows
    assert_read_as_whole(book, path, {TICKETS: rows})
    assert book.sheets[TICKETS].rows[11][:2] == ["T-009", datetime(2024, 5, 10, 9, 9)]
    assert book.sheets[TICKETS].rows[13][:3] == ["T-011", datetime(2024, 5, 12, 9, 11), "Li"]


@pytest.mark.parametrize("change", [
    lambda data: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", data, flags=re.S),
    lambda data: re.sub(rb"<sheetData>.*</sheetData>", b"", data, flags=re.S),
    lambda data: data.replace(b"<sheetData>", b"<sheetData>\n  ")], ids=["no rows", "no sheetData", "space first"])
def test_a_sheet_without_rows_or_beginning_with_space(tmp_path, change):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK, constant_memory=True)
    rewrite(path, "xl/worksheets/sheet1.xml", change)
    skims, context = skim_sheets(path, {TICKETS: 0})
    book = read_partial(path, {TICKETS: Known(prefix=skims[TICKETS].prefix, wanted=frozenset({0}))}, context)
    assert book.skims[TICKETS].prefix_kept == (b"<sheetData" in part(path, "xl/worksheets/sheet1.xml"))
    assert_read_as_whole(book, path, {})


@pytest.mark.parametrize("change", [lambda data: data[:data.index(b"</sheetData>")] + b"</worksheet>",
                                    lambda data: data.replace(b'<row r="5"', b'<row r="5x"')], ids=["cut short", "r=5x"])
def test_a_sheet_calamine_refuses_is_refused(tmp_path, change):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK, constant_memory=True)
    rewrite(path, "xl/worksheets/sheet1.xml", change)
    known, context, _ = known_but(path, TICKETS, read={1, 2})
    with pytest.raises(NotAWorkbook, match="'Tickets' cannot be read"):
        read_partial(path, known, context)


def test_a_sheet_with_prefixed_tags_is_read_whole(tmp_path):
    path = xlsxwriter_book(tmp_path / "book.xlsx", BOOK, constant_memory=True)
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

    def prefixed(data: bytes) -> bytes:
        data = re.sub(rb"<(/?)(?=[a-zA-Z])", rb"<\1x:", data)
        return data.replace(main, main.replace(b"xmlns=", b"xmlns:x="))
    rewrite(path, "xl/worksheets/sheet1.xml", prefixed)
    known, context, rows = known_but(path, TICKETS, read=set())
    assert len(rows) == 31
    book = read_partial(path, known, context)
    assert book.skims[TICKETS].left_out == set() and not book.skims[TICKETS].prefix_kept
    assert book.sheets[TICKETS] == read_book(path).sheets[TICKETS]


# -- any sheet, any rows known ------------------------------------------------------------------------

values = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(-1e9, 1e9, allow_nan=False).filter(lambda f: f == 0 or abs(f) > 1e-9),
                   st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1)).map(lambda d: d.replace(microsecond=0)),
                   st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12))


@settings(max_examples=30)
@given(rows=st.lists(st.lists(values, max_size=6), max_size=25), data=st.data(), inline=st.booleans())
def test_any_rows_known_read_as_read_book_reads_them(rows, data, inline):
    with tempfile.TemporaryDirectory() as folder:
        path = xlsxwriter_book(Path(folder) / "book.xlsx", {TICKETS: rows, NOTES: [[1]]}, constant_memory=inline)
        end = data.draw(st.none() | st.integers(0, len(rows) + 1))
        skims, context = skim_sheets(path, {TICKETS: end})
        skim = skims[TICKETS]
        rows_known = data.draw(st.sets(st.sampled_from(range(len(skim.digests))))) if skim.digests else set()
        wanted = data.draw(st.frozensets(st.integers(0, len(rows))))
        known = Known(frozenset(skim.digests[r] for r in rows_known if skim.digests[r] is not None),
                      skim.prefix if end is not None else None, wanted)
        book = read_partial(path, {TICKETS: known}, context)
        by_digest = {r for r in rows_known if skim.digests[r] is not None and r not in wanted}
        in_prefix = set(range(skim.prefix.end_row)) - wanted if end is not None else set()
        assert book.skims[TICKETS].left_out == by_digest - in_prefix
        assert book.skims[TICKETS].prefix_kept == (end is not None)
        assert_read_as_whole(book, path, {TICKETS: by_digest | in_prefix})
