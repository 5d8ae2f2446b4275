"""A table's records and column values, whatever the width of each row: a reader gives rows as wide
as the sheet, an edit or a live workbook may give shorter ones."""

from __future__ import annotations

from hypothesis import given, strategies as st

from workbook.core.book import SheetData, Table
from workbook.core.cells import MAX_TEXT
from workbook.core.limits import unstorable

CELLS = st.sampled_from([None, " ", "x", 0, 1.5, False])
ROWS = st.lists(st.lists(CELLS, max_size=6), max_size=8)
COLUMNS = {"a": 0, "b": 2, "c": 4}


def table(rows) -> Table:
    return Table("tickets", SheetData("T", [["A", None, "B", None, "C"], *rows]), 0, COLUMNS, "zh")


def cell(row, col):
    return row[col] if col is not None and col < len(row) else None


def filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@given(ROWS)
def test_records_are_the_rows_holding_a_value_in_a_column(rows):
    under = table(rows)
    expected = [(r, {k: cell(row, c) for k, c in COLUMNS.items()}) for r, row in enumerate(rows, 1)]
    expected = [(r, record) for r, record in expected if any(filled(v) for v in record.values())]
    expected = [(r, record) for r, record in expected if r < under.end_row]
    assert list(under.records()) == expected
    assert [(r, under.record(r)) for r, _ in expected] == expected


@given(ROWS, st.sampled_from([("b",), ("c", "a"), ("a", "missing"), ("missing",)]), st.integers(0, 4))
def test_values_are_the_cells_of_the_keys(rows, keys, start):
    under = table(rows)
    cols = [COLUMNS.get(k) for k in keys]
    expected = [(r, tuple(cell(row, c) for c in cols)) for r, row in enumerate(rows, 1) if r >= start]
    expected = [(r, found) for r, found in expected if found != (None,) * len(keys) and r < under.end_row]
    assert list(under.values(keys, start)) == expected


@given(st.lists(st.lists(st.sampled_from([None, "x", "y" * (MAX_TEXT + 1), 7]), max_size=4), max_size=6), st.booleans())
def test_text_too_long_for_a_cell_is_found_whether_the_longest_text_is_known_or_not(rows, counted):
    under = table(rows)
    if counted:  # as the xlsx reader tells it
        under.sheet.longest_text = max((len(v) for row in under.sheet.rows for v in row if isinstance(v, str)), default=0)
    expected = [(r, c, v) for r, row in enumerate(rows, 1) if r < under.end_row
                for c, v in enumerate(row) if isinstance(v, str) and len(v) > MAX_TEXT]
    assert list(unstorable(under)) == expected
