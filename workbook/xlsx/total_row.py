"""An Excel table's Total Row (Table Design > Total Row): never a ticket, and new rows go above it.

The reader tells the core which rows are total rows, so they are never read as records. When a
change set appends rows where a total row stands, the engine first moves the total row down by as
many rows, as Excel does when a row is typed into a table: its formulas (Excel's own, SUBTOTAL
over the table's columns by name) need no change, and the table's ref grows by the rows added.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from lxml import etree

from ..core.errors import InputError
from .package import TABLE, Package, xml
from .ranges import area_of
from .sheet_rows import whole_rows

_ROW = re.compile(rb'<row\b[^>]*?\sr="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_CELL_REF = re.compile(rb'(<c\b[^>]*?\sr="[A-Z]{1,3})\d+"')


def total_rows(table_xml: bytes) -> tuple[int, int, int] | None:
    """(header row, first total row, last total row), 1-based, of a table with a Total Row."""
    root = xml(table_xml)
    count = int(root.get("totalsRowCount", "0") or 0)
    area = area_of(root.get("ref", ""))
    if not count or area is None:
        return None
    return area[0], area[1] - count + 1, area[1]


def book_total_rows(pkg: Package) -> dict[str, set[int]]:
    """Sheet name -> its tables' total rows, 0-based as in BookData (only sheets that have one)."""
    if not any(m.info.filename.lower().startswith("xl/tables/") for m in pkg.members):
        return {}
    out: dict[str, set[int]] = {}
    for name, part in pkg.sheet_parts().items():
        for table in pkg.related(part, TABLE):
            try:
                found = total_rows(pkg.read(table)) if pkg.name(table) else None
            except (etree.XMLSyntaxError, ValueError):  # a table part too damaged to say: no Total Row
                found = None
            if found:
                out.setdefault(name, set()).update(range(found[1] - 1, found[2]))
    return out


def rows_to_add(cells: dict[tuple[int, int], object], first_total: int) -> int:
    """How far a total row starting at ``first_total`` (1-based) must move down so that the rows
    written from it on (``cells`` 0-based, as in a ChangeSet) land above it."""
    lowest = max((r + 1 for (r, _), value in cells.items() if value is not None and r + 1 >= first_total),
                 default=None)
    return 0 if lowest is None else lowest - first_total + 1


def moved_down(pieces: Iterable[bytes], sheet: str, first: int, last: int, by: int) -> Iterator[bytes]:
    """A worksheet given in pieces, with rows ``first``..``last`` moved down ``by`` rows (:func:`move_down`):
    cut again at row starts, the pieces holding rows ``first``..``last + by`` joined into one."""
    for window in _joined(whole_rows(pieces), first, last + by):
        yield move_down(window, sheet, first, last, by)


def _joined(windows: Iterable[bytes], first: int, last: int) -> Iterator[bytes]:
    """The windows, those ending on a row numbered ``first``..``last`` joined with the next: the
    rows ``first``..``last`` are all in one."""
    held: list[bytes] = []
    for window in windows:
        held.append(window)
        found = _ROW_NUMBER.match(window, max(window.rfind(b"<row"), 0))
        if not (found and first <= int(found.group(1)) <= last):
            yield b"".join(held)
            held = []
    if held:
        yield b"".join(held)


def move_down(sheet_xml: bytes, sheet: str, first: int, last: int, by: int) -> bytes:
    """The worksheet (or a stretch of whole rows of it) with rows ``first``..``last`` moved down ``by``
    rows. The rows they move into must be empty (InputError otherwise: the table cannot grow without
    covering them)."""
    kept, moved, pos = [], [], 0
    for m in _ROW.finditer(sheet_xml):
        r = int(m.group(1))
        if r > last + by:
            break
        if r < first:
            continue
        if r > last and b"<c" in m.group():
            raise InputError("total_row_blocked", sheet, row=r)
        kept.append(sheet_xml[pos:m.start()])  # an empty row in the way goes
        pos = m.end()
        if r <= last:
            moved.append(_renumber(m.group(), r + by))
    if not moved:
        return sheet_xml
    return b"".join(kept) + b"".join(moved) + sheet_xml[pos:]


def _renumber(row: bytes, r: int) -> bytes:
    head_end = row.find(b">")
    head = re.sub(rb'(\sr=")\d+"', rb'\g<1>%d"' % r, row[:head_end], count=1)
    return head + _CELL_REF.sub(rb'\g<1>%d"' % r, row[head_end:])
