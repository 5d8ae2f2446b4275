"""The live engine: read and change a workbook open in Excel through xlwings, without saving it.

The Refresh / Check / Archive buttons run the same core as the command line, with this engine in
place of the file engine. Every call crosses a process boundary (COM on Windows, Apple events on
macOS), so values travel in blocks: one read of each sheet's used range, one write per rectangle
of changed cells. The user's file stays theirs: no save, no close, and the active sheet, selection,
filters and scroll position are as they were when the button was pressed.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime, timedelta
from itertools import groupby
from typing import Iterator

from ..core.book import BookData, SheetData, Value
from ..core.changeset import ChangeSet
from ..core.errors import InputError
from ..core.cells import check_cell  # one set of rules for what a cell may hold

# Excel reads a string written into a cell the way it reads typing: '=1+1' becomes a formula, '001'
# a number, '2024-05' a date, 'TRUE' a boolean. It only does so for strings holding a digit, a
# formula sign, a leading '#' (errors) or a boolean word; those get Excel's own text prefix, an
# apostrophe, which is not part of the value (Range.Value reads back the string without it) and,
# unlike a "@" number format, leaves the cell's format alone for whatever is written there later.
_COERCIBLE = re.compile(r"^\s*[=+\-@'#]|\d|^\s*(true|false)\s*$", re.IGNORECASE)
TEXT_PREFIX = "'"

Block = tuple[int, int, list[list[Value]]]  # top row, left column (0-based), rows of values


class LiveEngine:
    """An :class:`~workbook.core.tracker.Engine` over an ``xlwings.Book`` (e.g. ``xw.Book.caller()``)."""

    def __init__(self, book):
        self.book = book

    def read(self) -> BookData:
        sheets = {sheet.name: SheetData(sheet.name, _sheet_rows(sheet)) for sheet in self.book.sheets}
        return BookData(sheets, self.book.fullname)

    def locked(self) -> AbstractContextManager:
        """Nothing to hold: Excel runs one macro at a time, and the user cannot type during it."""
        return nullcontext()

    def apply(self, changes: ChangeSet) -> None:
        """Write ``changes``: cells first, in the coordinates they were read in, then removed rows.

        Every value is checked before the first write, as the file engine checks them, so bad input
        leaves the workbook as it was."""
        self._check(changes)
        with _Quiet(self.book.app), _KeptView(self.book):
            for name, edits in changes.cells.items():
                sheet = self.book.sheets[name]
                for top, left, rows in blocks(edits):
                    sheet.range((top + 1, left + 1)).value = [[excel_value(v) for v in row] for row in rows]
                _grow_tables(sheet, edits)
            for name, removed in changes.removed_rows.items():
                sheet = self.book.sheets[name]
                # Bottom first, so the rows still to delete keep their numbers.
                for first, last in reversed(_spans(removed)):
                    sheet.range(f"{first + 1}:{last + 1}").delete(shift="up")

    def _check(self, changes: ChangeSet) -> None:
        names = {sheet.name for sheet in self.book.sheets}
        for name in set(changes.cells) | set(changes.removed_rows):
            if name not in names:
                raise InputError("no_worksheet", name=name, book=self.book.name)
            for (r, c), value in changes.cells.get(name, {}).items():
                check_cell(name, r, c, value)


def _sheet_rows(sheet) -> list[list[Value]]:
    """The sheet's values from A1 on, read in one call; None for empty cells."""
    used = sheet.used_range
    values = used.options(ndim=2, err_to_str=True).value
    pad = [None] * (used.column - 1)
    rows: list[list[Value]] = [[] for _ in range(used.row - 1)]
    rows += [pad + [_plain(v) for v in row] for row in values]
    return rows


def _plain(value) -> Value:
    if value == "":
        return None
    if isinstance(value, datetime):
        # COM hands over Excel's serial as a float: 14:30 can arrive as 14:29:59.999, so round to
        # the second, as the file reader does.
        return (value.replace(tzinfo=None) + timedelta(microseconds=500_000)).replace(microsecond=0)
    return value


def excel_value(value: Value):
    """A change-set value as xlwings should write it: strings Excel could reinterpret get the prefix."""
    if isinstance(value, str) and _COERCIBLE.search(value):
        return TEXT_PREFIX + value
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def blocks(edits: dict[tuple[int, int], Value]) -> list[Block]:
    """Rectangles covering exactly the edited cells: runs of consecutive rows in one column, then
    side-by-side columns with the same run joined, so a block of new rows is a single write."""
    runs = sorted(_column_runs(edits))
    out: list[Block] = []
    for (top, bottom), group in groupby(runs, key=lambda run: (run[0], run[1])):
        columns = list(group)
        for left, right in _spans([col for _, _, col in columns]):
            rows = [[edits[(r, c)] for c in range(left, right + 1)] for r in range(top, bottom + 1)]
            out.append((top, left, rows))
    return sorted(out, key=lambda block: block[:2])


def _column_runs(edits: dict[tuple[int, int], Value]) -> Iterator[tuple[int, int, int]]:
    """(top, bottom, column) for each run of consecutive edited rows in a column."""
    by_column: dict[int, list[int]] = {}
    for r, c in edits:
        by_column.setdefault(c, []).append(r)
    for col, rows in by_column.items():
        for top, bottom in _spans(rows):
            yield top, bottom, col


def _spans(numbers) -> list[tuple[int, int]]:
    """Sorted (first, last) spans of consecutive numbers."""
    spans: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if spans and spans[-1][1] == n - 1:
            spans[-1] = (spans[-1][0], n)
        else:
            spans.append((n, n))
    return spans


def _grow_tables(sheet, edits: dict[tuple[int, int], Value]) -> None:
    """Extend an Excel table over rows written just below it, as the file engine does: Excel only
    grows a table by itself for rows a user types."""
    for table in sheet.tables:
        area = table.range
        first_col, last_col = area.column - 1, area.column + area.columns.count - 2
        below = area.row + area.rows.count - 1  # 0-based row just under the table
        rows = {r for r, c in edits if first_col <= c <= last_col and r >= below}
        if below in rows:
            last = next(end for start, end in _spans(rows) if start == below)
            table.resize(sheet.range((area.row, area.column), (last + 1, last_col + 1)))


class _Quiet:
    """Screen updating and automatic recalculation off while writing, on a desktop Excel only:
    each write would otherwise repaint and recalculate the whole workbook."""

    def __init__(self, app):
        self.app = app
        self.desktop = app.engine.name == "excel"

    def __enter__(self):
        if self.desktop:
            self.calculation = self.app.calculation
            self.app.screen_updating = False
            self.app.calculation = "manual"

    def __exit__(self, *exc):
        if self.desktop:
            self.app.calculation = self.calculation
            self.app.screen_updating = True


class _KeptView:
    """Leave the user where they were. Values written into ranges never select, activate or scroll
    anything, and Excel moves the selection along with its cells when rows above it are deleted, so
    the one thing to guard is the active sheet: bring it back if anything switched it."""

    def __init__(self, book):
        self.book = book

    def __enter__(self):
        self.sheet = self.book.sheets.active.name

    def __exit__(self, *exc):
        if self.book.sheets.active.name != self.sheet:
            self.book.sheets[self.sheet].activate()
