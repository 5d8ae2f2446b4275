"""Row arithmetic on A1 references: ranges that grow when rows are appended, and shift when rows go.

Pure functions on text. Rows here are Excel's 1-based numbers, as written in the XML. A *row span
function* takes a range's (first, last) rows and returns the new pair, or None when the range is gone;
:class:`RowMap` (deleted rows) and :func:`grower` (appended rows) make them, and every kind of
reference -- ``sqref`` lists, table refs, defined names, formulas -- is mapped through one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Callable, Iterable

from ..core.cells import col_index, col_letter

Span = tuple[int, int]
SpanFn = Callable[[int, int], "Span | None"]

_AREA = re.compile(r"^(\$?[A-Za-z]{1,3})(\$?)(\d+)(?::(\$?[A-Za-z]{1,3})(\$?)(\d+))?$")
_ROW_RANGE = re.compile(r"^(\$?)(\d+):(\$?)(\d+)$")
# A formula that is one reference, maybe on a named sheet: what most defined names and list sources are.
_LONE_REF = re.compile(r"^(?:(?:'(?:[^']|'')+'|[^\s'\"!(),;:&=<>+\-*/^%{}\[\]#]+)!)?"
                       r"(?:\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?|\$?\d+:\$?\d+)$")


@dataclass(frozen=True)
class Extension:
    """Rows appended below a table or filter whose header is ``header``: ``last`` grows to ``new_last``."""

    header: int
    last: int
    new_last: int


class RowMap:
    """Where each row goes once ``removed`` rows are deleted and the rows below move up."""

    def __init__(self, removed: Iterable[int] = ()):
        self.removed = sorted(set(removed))
        self._set = frozenset(self.removed)

    def __bool__(self) -> bool:
        return bool(self.removed)

    def row(self, r: int) -> int | None:
        if r in self._set:
            return None
        return r - bisect_left(self.removed, r)

    def span(self, first: int, last: int) -> Span | None:
        """A range's rows after deletion; None when every row of it was deleted."""
        before = bisect_left(self.removed, first)
        through = bisect_right(self.removed, last)
        if through - before == last - first + 1:
            return None
        return first - before, last - through


def grower(extensions: Iterable[Extension], cells: bool) -> SpanFn:
    """A span function that grows ranges ending at a table's old last row to its new last row.

    A range grows when it spans rows and ends there. A single row grows too when ``cells`` (validations
    and formats: a one-row table's data row) and it lies below the header, or when not ``cells``
    (filters, tables, names) and it is the header itself (a filter over a table with no data yet).
    """
    extensions = list(extensions)

    def grow(first: int, last: int) -> Span:
        for e in extensions:
            if last == e.last and (first < last or (first > e.header if cells else first == e.header)):
                return first, e.new_last
        return first, last
    return grow


def map_ref(ref: str, fn: SpanFn) -> str | None:
    """An A1 cell, area ("$A$2:$C$9") or row range ("3:5") mapped through ``fn``; others unchanged."""
    m = _AREA.match(ref)
    if m:
        c1, d1, r1, c2, d2, r2 = m.groups()
        span = fn(int(r1), int(r2 or r1))
        if span is None:
            return None
        if span[0] == span[1] and (c2 is None or (c2, d2) == (c1, d1)):
            return f"{c1}{d1}{span[0]}"
        return f"{c1}{d1}{span[0]}:{c2 or c1}{d2 if c2 else d1}{span[1]}"
    m = _ROW_RANGE.match(ref)
    if m:
        d1, r1, d2, r2 = m.groups()
        span = fn(int(r1), int(r2))
        return None if span is None else f"{d1}{span[0]}:{d2}{span[1]}"
    return ref


def map_sqref(sqref: str, *fns: SpanFn) -> str | None:
    """A space-separated list of ranges mapped through each fn in turn; None when none is left."""
    pieces = sqref.split()
    for fn in fns:
        pieces = [p for p in (map_ref(p, fn) for p in pieces) if p is not None]
    return " ".join(pieces) or None


def area_of(ref: str) -> tuple[int, int, int, int] | None:
    """(first row, last row, first col, last col) of "A1:C9", rows 1-based and cols 0-based."""
    m = _AREA.match(ref)
    if not m:
        return None
    c1, _, r1, c2, _, r2 = m.groups()
    return int(r1), int(r2 or r1), col_index(c1.lstrip("$")), col_index((c2 or c1).lstrip("$"))


def map_formula(formula: str, sheet: str, fn: SpanFn, bare: bool) -> str:
    """A formula (no leading '=') with its references to ``sheet`` mapped through ``fn``.

    Deleting rows in Excel moves every reference to that sheet, absolute or relative, so both are
    mapped; a reference to deleted cells becomes #REF!. References to other sheets never move.
    ``bare`` says whether references without a sheet name (cell formulas) are on ``sheet``; in
    defined names they are not.
    """
    if not any(ch.isdigit() for ch in formula):
        return formula  # no row numbers, nothing to move
    if _LONE_REF.match(formula):
        return _map_operand(formula, sheet, fn, bare)  # no tokenizer needed: the only operand is the whole
    from openpyxl.formula.tokenizer import Token, Tokenizer  # openpyxl takes 0.3 s to import: only when needed
    items = Tokenizer("=" + formula).items
    out = []
    for token in items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            out.append(_map_operand(token.value, sheet, fn, bare))
        else:
            out.append(token.value)
    return "".join(out)


def _map_operand(operand: str, sheet: str, fn: SpanFn, bare: bool) -> str:
    where, _, ref = operand.rpartition("!")
    if where:
        name = where[1:-1].replace("''", "'") if where.startswith("'") else where
        if name.casefold() != sheet.casefold():
            return operand
        where += "!"
    elif not bare:
        return operand
    mapped = map_ref(ref, fn)
    return where + (mapped if mapped is not None else "#REF!")


def copy_formula(formula: str, origin: tuple[int, int], dest: tuple[int, int]) -> str:
    """A formula (no '=') written at ``origin`` as it reads when copied to ``dest`` (row 1-based, col 0-based).

    This is how a shared formula's other cells are spelt out from its first cell.
    """
    from openpyxl.formula.translate import Translator  # openpyxl takes 0.3 s to import: only when needed
    start = f"{col_letter(origin[1])}{origin[0]}"
    text = Translator("=" + formula, origin=start).translate_formula(f"{col_letter(dest[1])}{dest[0]}")
    return text[1:]


def appended(cells: dict[tuple[int, int], object], areas: Iterable[tuple[int, int, int, int]]) -> list[Extension]:
    """The tables and filters that written cells below them extend.

    ``cells`` are 0-based (row, col) -> value as in a ChangeSet; ``areas`` are (header row, last row,
    first col, last col) with 1-based rows. A value written below an area, within its columns, is an
    appended row; clearing a cell appends nothing.
    """
    out, lowest = [], max(cells, default=(-1, 0))[0] + 1  # the lowest row written
    for header, last, first_col, last_col in areas:
        if lowest <= last:  # nothing written below the area: a refresh's Tickets, 40,000 cells
            continue
        below = [r + 1 for (r, c), value in cells.items()
                 if r + 1 > last and first_col <= c <= last_col and value is not None]
        if below:
            out.append(Extension(header, last, max(below)))
    return out
