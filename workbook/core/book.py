"""Plain values read from a workbook, and tables located in them by their headers.

An engine reads a workbook into a :class:`BookData` (sheet name -> rows of plain Python values,
``rows[0]`` being Excel row 1). Everything else in the core works on these values and never on a
workbook object, so the same core runs against a file on disk and a workbook open in Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from datetime import date, datetime
from typing import Callable, Iterator

from . import schema
from .cells import a1
from .errors import InputError
from .row_digests import Skim

Value = str | int | float | bool | datetime | date | None

# The header may sit below a title or notes: look for it in the first rows.
HEADER_SEARCH_ROWS = 10


@dataclass
class SheetData:
    name: str
    rows: list[list[Value]] = field(default_factory=list)
    # the length of the longest text in ``rows``, when the reader counted it (None: not counted):
    # a check for text too long for a cell then need not visit every cell
    longest_text: int | None = None
    # one past the last row the reader left out, known to the caller (see core/settled.py): those
    # rows are empty here but not on the sheet, so nothing may be written into them
    left_out_end: int = 0

    def may_hold_text_longer_than(self, length: int) -> bool:
        return self.longest_text is None or self.longest_text > length

    def value(self, row: int, col: int) -> Value:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None


@dataclass
class BookData:
    sheets: dict[str, SheetData]
    source: str = ""
    # ticket number -> (month, file) of every ticket the archive manifests beside the workbook
    # record; filled by workbook.app.tracker_file, empty for a workbook read on its own
    archived: dict[str, tuple[str, str]] = field(default_factory=dict)
    # sheet name -> rows of an Excel table's Total Row: never records (filled by the reader)
    total_rows: dict[str, set[int]] = field(default_factory=dict)
    # sheet name -> what a reader leaving out known rows saw of it, for each sheet it streamed
    # (workbook.xlsx.partial_read); empty for a book read whole
    skims: dict[str, Skim] = field(default_factory=dict)
    # the digest of what gives the sheets' row bytes their values (styles, shared strings, the
    # date system, each sheet's part), as that reader found it (row_digests); b"" for a book read whole
    context: bytes = b""

    def sheet(self, key: str) -> SheetData | None:
        """The sheet for a schema key ('tickets', 'log', ...), named in either language."""
        label = schema.SHEETS[key]
        for name, sheet in self.sheets.items():
            if label.matches(name):
                return sheet
        return None


@dataclass
class Table:
    """A header row and the records under it, columns found by their zh or en header."""

    key: str
    sheet: SheetData
    header_row: int
    columns: dict[str, int]  # schema key -> 0-based column
    lang: str
    stop: int | None = None  # a Total Row under the header: records end above it

    @property
    def name(self) -> str:
        return self.sheet.name

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def end_row(self) -> int:
        """One past the last row holding any value in a schema column."""
        bottom = len(self.sheet.rows) if self.stop is None else min(self.stop, len(self.sheet.rows))
        top = max(self.first_row, min(self.sheet.left_out_end, bottom))
        for r in range(bottom - 1, top - 1, -1):  # from the bottom: found at once
            if any(filled(v) for v in self._row_values(r)):
                return r + 1
        return top

    def _row_values(self, row: int) -> tuple[Value, ...]:
        """The row's values in the order of ``columns``."""
        return _reader(list(self.columns.values()))(self.sheet.rows[row])

    def records(self) -> Iterator[tuple[int, dict[str, Value]]]:
        """(row, {key: value}) for every non-empty row under the header."""
        keys, read = tuple(self.columns), _reader(list(self.columns.values()))
        for r, cells in enumerate(self.sheet.rows[self.first_row:self.end_row], self.first_row):
            if cells.count(None) == len(cells):  # an empty row (or one a reader left out), in one C call
                continue
            values = read(cells)
            if any(map(filled, values)):
                yield r, dict(zip(keys, values))

    def record(self, row: int) -> dict[str, Value] | None:
        """{key: value} of one row under the header, None when it is empty."""
        values = self._row_values(row) if row < len(self.sheet.rows) else ()
        return dict(zip(self.columns, values)) if any(map(filled, values)) else None

    def values(self, keys: tuple[str, ...], start: int | None = None) -> Iterator[tuple[int, tuple[Value, ...]]]:
        """(row, the values of ``keys``) for each row under the header (from ``start`` when given)
        holding a value in one of them; None for a key the table has no column for. For long
        loops: no dict per row."""
        read = _reader([self.columns.get(k) for k in keys])
        nothing = (None,) * len(keys)
        first = max(self.first_row, start or 0)
        for r, cells in enumerate(self.sheet.rows[first:self.end_row], first):
            if (found := read(cells)) != nothing:
                yield r, found

    def column(self, key: str, start: int | None = None) -> Iterator[Value]:
        """The cells of ``key``'s column, one for each row under the header (from ``start`` when
        given); None past a row's end and for a key the table has no column for. For long loops
        over one column, or a few zipped: no tuple, no generator step per row."""
        rows = self.sheet.rows[max(self.first_row, start or 0):self.end_row]
        c = self.columns.get(key)
        if c is None:
            return repeat(None, len(rows))
        if min(map(len, rows), default=c + 1) > c:  # every row as wide as a reader gives them
            return map(itemgetter(c), rows)
        return (cells[c] if c < len(cells) else None for cells in rows)

    def cell(self, row: int, key: str) -> str:
        return a1(row, self.columns[key])


def _reader(cols: list[int | None]) -> Callable[[list[Value]], tuple[Value, ...]]:
    """A function giving a row's values in ``cols`` (None for no column, or past the row's end):
    for a row wide enough for all of them (as a reader gives them), one C call."""
    def each(cells: list[Value]) -> tuple[Value, ...]:
        return tuple(cells[c] if c is not None and c < len(cells) else None for c in cols)
    if None in cols:
        return each
    pick, width = itemgetter(*cols), max(cols)
    if len(cols) == 1:
        return lambda cells: (pick(cells),) if len(cells) > width else each(cells)
    return lambda cells: pick(cells) if len(cells) > width else each(cells)


def filled(value: Value) -> bool:
    """Whether a cell holds something: not empty, not only spaces (what text() makes of it is not '')."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def typed(values: list[Value]) -> list[tuple[type, Value]]:
    """Each cell value with its type, to key distinct values by: 1 == True == 1.0 in Python, but a
    cell holding 1 and one holding TRUE read differently."""
    return list(zip(map(type, values), values))


def find_table(book: BookData, key: str, required: bool = True) -> Table | None:
    """Locate the ``key`` sheet's header row and map its columns.

    Raises InputError naming the sheet when it or a required column is missing.
    """
    sheet = book.sheet(key)
    label = schema.SHEETS[key]
    if sheet is None:
        if not required:
            return None
        raise InputError("missing_sheet", sheet=label)
    columns_def = schema.SHEET_COLUMNS[key]
    best: tuple[int, int, dict[str, int], list] | None = None
    for r in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        found, twice = _match_header(sheet.rows[r], columns_def)
        if found and (best is None or len(found) > len(best[2])):
            best = (len(found), r, found, twice)
    if best is None:
        raise InputError("no_header_row", sheet.name, rows=HEADER_SEARCH_ROWS, example=columns_def[0].label)
    _, header_row, columns, twice = best
    lang = schema.lang_of_header(sheet.rows[header_row])
    if twice:
        column, first, second = twice[0]
        raise InputError("header_twice", sheet.name, lang=lang, column=column.label, first=a1(header_row, first),
                         second=a1(header_row, second))
    missing = [c for c in columns_def if (c.required or c.key == "ticket_no") and c.key not in columns]
    if missing:
        raise InputError("missing_columns", sheet.name, lang=lang, row=header_row + 1, names=[c.label for c in missing])
    stop = min((r for r in book.total_rows.get(sheet.name, ()) if r > header_row), default=None)
    return Table(key, sheet, header_row, columns, lang, stop)


def _match_header(cells: list[Value], columns_def) -> tuple[dict[str, int], list]:
    """{key: column} of the header cells naming a schema column, in either language, and
    (column, first, second) for each column two cells name: which one is meant cannot be told."""
    found: dict[str, int] = {}
    twice = []
    for i, text in enumerate(cells):
        for column in columns_def:
            if column.label.matches(text):
                if column.key in found:
                    twice.append((column, found[column.key], i))
                else:
                    found[column.key] = i
                break
    return found, twice
