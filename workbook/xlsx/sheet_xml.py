"""Patch one worksheet part: the cells a change set owns, the rows it removes, the ranges that follow.

Pure: XML bytes in, XML bytes out. <sheetData> -- nearly all of a sheet's bytes -- is rewritten at the
byte level by sheet_rows.py. The rest of the part is small and edited here as a tree with lxml:
dimension, filter, validations, conditional formats, merges, hyperlinks, sparklines. Nothing is ever
inserted there, so the schema order Excel wrote is kept.

Rows are Excel's 1-based numbers (as in the XML); columns are 0-based (as in cells.py).
"""

from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

from lxml import etree

from ..core.book import Value
from ..core.cells import col_letter
from ..core.errors import NotEditable
from .ranges import Extension, RowMap, area_of, copy_formula, grower, map_formula, map_sqref
from .row_check import RowCheck
from .sheet_rows import Formula, Rows, SheetPlan, whole_rows

X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"

# Package XML is parsed without entity expansion or network access (defusedxml's rules, in lxml).
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")  # its namespace prefix, and "/" when empty
_CLOSE = b"</sheetData>"
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*\?>\s*")
# Elements that may not be empty: dropped with their last child.
_CONTAINERS = frozenset({"mergeCells", "hyperlinks", "dataValidations", "conditionalFormattings",
                         "sparklineGroups", "ext", "extLst"})


class SheetXml:
    """A worksheet part, read twice in pieces: once for its head (before <sheetData>) and tail (after
    </sheetData>), kept as a small lxml tree around an empty <sheetData/>; again, when patched, for
    the rows between, a window of whole rows at a time. Its rows are never held: a tracker's sheet
    is ~150 MB of them at 100k tickets."""

    def __init__(self, read: Callable[[], Iterable[bytes]]):
        """``read()`` gives the part's bytes, in pieces, each time it is called."""
        self._read = read
        self.head, self.body, self.tail = _skeleton(read())
        self.root = etree.fromstring(self.head + b"<sheetData/>" + self.tail, PARSER)
        self.ns = etree.QName(self.root).namespace
        self._col_styles = [(int(c.get("min")) - 1, int(c.get("max")) - 1, int(c.get("style")))
                            for c in self._all("col") if c.get("style")]
        self._col_style_cache: dict[int, int] = {}
        self._changed = False

    def _all(self, tag: str, ns: str | None = None) -> list:
        return list(self.root.iter(f"{{{ns or self.ns}}}{tag}"))

    @property
    def filter_area(self) -> tuple[int, int, int, int] | None:
        """The sheet's own autofilter range (not a table's)."""
        el = self.root.find(f"{{{self.ns}}}autoFilter")
        return area_of(el.get("ref", "")) if el is not None else None

    def col_style(self, col: int) -> int:
        """The style <cols> gives a column's empty cells; 0 when none."""
        if col not in self._col_style_cache:
            self._col_style_cache[col] = next(
                (style for first, last, style in self._col_styles if first <= col <= last), 0)
        return self._col_style_cache[col]

    def patch(self, plan: SheetPlan, check: RowCheck | None = None) -> Iterator[bytes]:
        """The new part, in chunks. Checks the plan and patches the skeleton before the first chunk;
        ``check`` verifies each rewritten row as it goes out."""
        rows = RowMap(r + 1 for r in plan.removed)
        edits = _by_row(plan.cells, plan.removed)
        self._fill_calculated(plan, edits)
        head, tail = self._patched_skeleton(plan, rows)
        windows = whole_rows(_between(self._read(), *self.body))
        written = Rows(check.windows(windows) if check else windows, self.col_style, plan, edits, rows, check)
        return _chain(head + b"<sheetData>", check.follow(written) if check else written, b"</sheetData>" + tail)

    def _fill_calculated(self, plan: SheetPlan, edits: dict[int, dict[int, Value]]) -> None:
        for col, (e, formula) in plan.calculated.items():
            for r in range(e.last + 1, e.new_last + 1):
                if r in edits and col not in edits[r]:
                    # stored as it reads in the first data row; structured references do not move
                    edits[r][col] = Formula(copy_formula(formula, (e.header + 1, col), (r, col)))

    # -- the skeleton: everything but the rows ----------------------------------------------------

    def _patched_skeleton(self, plan: SheetPlan, rows: RowMap) -> tuple[bytes, bytes]:
        cell_fns = [grower(plan.extensions, cells=True)] + ([rows.span] if rows else [])
        dim = self.root.find(f"{{{self.ns}}}dimension")
        if dim is not None:
            self._set(dim, "ref", _dimension(dim.get("ref", "A1"), plan.cells, rows))
        af = self.root.find(f"{{{self.ns}}}autoFilter")
        if af is not None:
            fns = [grower(plan.extensions, cells=False)] + ([rows.span] if rows else [])
            self._set(af, "ref", map_sqref(af.get("ref"), *fns) or af.get("ref"))
        for tag in ("conditionalFormatting", "dataValidation"):
            for el in self._all(tag):
                self._set_or_drop(el, "sqref", map_sqref(el.get("sqref", ""), *cell_fns))
            for el in self._all(tag, X14):
                self._set_sqref_or_drop(el, *cell_fns)
        if rows:
            self._remove_rows(plan.name, rows)
        for tag, ns in (("dataValidations", self.ns), ("mergeCells", self.ns), ("dataValidations", X14)):
            for el in self._all(tag, ns):
                if el.get("count") is not None:
                    self._set(el, "count", str(len(el)))
        if not self._changed:
            return self.head, self.tail
        head, tail = serialize(self.root, self.head).split(b"<sheetData/>")
        return head, tail

    def _remove_rows(self, sheet: str, rows: RowMap) -> None:
        for tag in ("mergeCell", "hyperlink"):
            for el in self._all(tag):
                ref = map_sqref(el.get("ref", ""), rows.span)
                # a merge shrunk to one cell is no merge
                self._set_or_drop(el, "ref", ref if ref and (tag == "hyperlink" or ":" in ref) else None)
        for el in self._all("sparkline", X14):
            self._set_sqref_or_drop(el, rows.span)
            data = el.find(f"{{{XM}}}f")
            if data is not None and data.text:
                self._set_text(data, map_formula(data.text, sheet, rows.span, bare=False))

    def _set(self, el, name: str, value: str) -> None:
        if el.get(name) != value:
            el.set(name, value)
            self._changed = True

    def _set_text(self, el, value: str) -> None:
        if el.text != value:
            el.text = value
            self._changed = True

    def _set_or_drop(self, el, name: str, value: str | None) -> None:
        if value is None:
            self._drop(el)
        else:
            self._set(el, name, value)

    def _set_sqref_or_drop(self, el, *fns) -> None:
        """For x14 elements, whose ranges are an <xm:sqref> child."""
        sqref = el.find(f"{{{XM}}}sqref")
        if sqref is None or not sqref.text:
            return
        value = map_sqref(sqref.text, *fns)
        if value is None:
            self._drop(el)
        else:
            self._set_text(sqref, value)

    def _drop(self, el) -> None:
        parent = el.getparent()
        parent.remove(el)
        self._changed = True
        while parent is not self.root and len(parent) == 0:
            name = etree.QName(parent).localname
            if name == "sparklines":  # a sparkline group needs at least one sparkline
                parent = parent.getparent()
            elif name not in _CONTAINERS:
                return
            grandparent = parent.getparent()
            grandparent.remove(parent)
            parent = grandparent


def patch_sheet(xml: bytes, plan: SheetPlan, piece: int | None = None) -> bytes:
    """The whole new part at once (tests, small sheets), its bytes read ``piece`` bytes at a time."""
    return b"".join(SheetXml(lambda: in_pieces(xml, piece)).patch(plan))


def in_pieces(data: bytes, size: int | None = None) -> list[bytes]:
    """``data`` cut every ``size`` bytes (None: one piece)."""
    size = size or len(data) or 1
    return [data[i:i + size] for i in range(0, len(data), size)]


def _skeleton(pieces: Iterable[bytes]) -> tuple[bytes, tuple[int, int], bytes]:
    """(head, where <sheetData>'s content starts and ends, tail) of a part given in pieces: the bytes
    up to <sheetData ...> are kept, those after it passed over to </sheetData>, the rest kept."""
    pieces = iter(pieces)
    head, opened, searched = bytearray(), None, 0
    for piece in pieces:
        head += piece
        opened = SHEET_DATA.search(head, searched)
        if opened:
            break
        searched = head.rfind(b">") + 1  # a tag not found whole yet starts after the last ">"
    prolog = _PROLOG.match(head)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (prolog and re.search(rb"encoding=.(?!utf-8)", prolog.group(), re.I)):
        raise NotEditable("sheet_not_utf8")
    if opened is None:
        raise NotEditable("sheet_no_data")
    if opened.group(1):
        raise NotEditable("sheet_prefixed")
    start = opened.end()
    if opened.group(2):  # <sheetData/>: an empty sheet
        return bytes(head[:opened.start()]), (start, start), bytes(head[start:]) + b"".join(pieces)
    # Look for </sheetData> a piece at a time, keeping the bytes that may begin one cut by the next piece.
    seen, window, at = 0, bytes(head), start  # seen: where the window starts in the part
    while (close := window.find(_CLOSE, at)) < 0:
        piece = next(pieces, None)
        if piece is None:  # never closed: the tail is empty, and lxml says what is wrong
            return bytes(head[:opened.start()]), (start, seen + len(window)), b""
        at = max(len(window) - len(_CLOSE) + 1, at)
        seen, window, at = seen + at, window[at:] + piece, 0
    return bytes(head[:opened.start()]), (start, seen + close), window[close + len(_CLOSE):] + b"".join(pieces)


def _between(pieces: Iterable[bytes], start: int, end: int) -> Iterator[bytes]:
    """The bytes from ``start`` to ``end`` of those given in pieces (read no further)."""
    at = 0
    for piece in pieces:
        lo, hi = max(start - at, 0), min(end - at, len(piece))
        at += len(piece)
        if lo < hi:
            yield piece if (lo, hi) == (0, len(piece)) else piece[lo:hi]
        if at >= end:
            return


def _by_row(cells: dict[tuple[int, int], Value], removed: set[int]) -> dict[int, dict[int, Value]]:
    """The cells (0-based (row, col) -> value) by 1-based row, less the removed rows' (edits apply
    first: a removed row takes its edits with it)."""
    rows: dict[int, dict[int, Value]] = {}
    for (r, c), value in cells.items():
        row = rows.get(r)
        if row is None:
            row = rows[r] = {}
        row[c] = value
    return {r + 1: row for r, row in rows.items() if r not in removed}


def _chain(head: bytes, rows: Iterator[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from rows
    yield tail


def _dimension(ref: str, cells: dict[tuple[int, int], Value], rows: RowMap) -> str:
    """The used range: the old one and every written cell (a cleared one too: the range is a hint)."""
    first, last, c1, c2 = area_of(ref) or (1, 1, 0, 0)
    if cells:
        written_rows, written_cols = {r for r, _ in cells}, {c for _, c in cells}
        first, last = min(first, min(written_rows) + 1), max(last, max(written_rows) + 1)
        c1, c2 = min(c1, min(written_cols)), max(c2, max(written_cols))
    if rows:
        first, last = rows.span(first, last) or (first, first)
    start, end = f"{col_letter(c1)}{first}", f"{col_letter(c2)}{last}"
    return start if start == end else f"{start}:{end}"


def patch_table(xml: bytes, extensions: list[Extension], rows: RowMap) -> bytes | None:
    """A table part with its ref, filter and sort ranges following appended and removed rows.

    None when nothing changed. A table keeps its header and at least one data row, as Excel requires.
    """
    root = etree.fromstring(xml, PARSER)
    grow = grower(extensions, cells=False)
    changed = False
    for el in root.iter():
        ref = el.get("ref") if isinstance(el.tag, str) else None
        if ref is None:
            continue
        area = area_of(ref)
        if area is None:
            continue
        totals = int(el.get("totalsRowCount", "0") or 0) if el is root else 0  # a Total Row stays last
        first, last = grow(area[0], area[1] - totals)
        last += totals
        if rows:
            first, last = rows.span(first, last) or (first, first)
        if etree.QName(el).localname in ("table", "autoFilter"):
            last = max(last, first + 1)
        new = f"{col_letter(area[2])}{first}:{col_letter(area[3])}{last}"
        if new != ref:
            el.set("ref", new)
            changed = True
    return serialize(root, xml) if changed else None


def serialize(root, original: bytes) -> bytes:
    """A part's tree as bytes, behind the XML declaration the part had (lxml would re-spell it)."""
    m = _PROLOG.match(original)
    return (m.group() if m else b"") + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
