"""Rewrite a worksheet's <sheetData> at the byte level, row by row.

Nearly all of a tracker sheet's bytes are rows (~12 MB at 10k tickets), so they are never parsed into
a tree: regular expressions find each row, rows the change set does not touch are copied verbatim,
and only touched rows are cut into cells (an lxml pass over the same data is 2-3x slower, PERF-NOTES).

Rows are Excel's 1-based numbers (as in the XML); columns are 0-based (as in cells.py).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from datetime import date, datetime, timedelta
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..core.book import Value
from ..core.cells import to_serial
from .memo import COLUMN, LETTERS, Memo
from .ranges import Extension, RowMap, copy_formula, map_formula, map_sqref
from .row_check import RowCheck

_ROW_NUMBER = re.compile(rb'(?:^|\s)r="(\d+)"')
_SPANS = re.compile(rb'\sspans="[^"]*"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_CELL_START = re.compile(rb'<c r="([A-Z]{1,3})\d+"')
_UNNUMBERED_CELL = re.compile(rb'<c(?! r=")')
_UNNUMBERED_ROW = re.compile(rb'<row(?! r=")')
_STYLE = re.compile(rb'\ss="(\d+)"')
_RENUMBER = re.compile(rb'(<c r="[A-Z]{1,3})\d+"')
_FORMULA = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_ATTR = re.compile(rb'([\w:.-]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")
# Attributes of an overwritten cell that described its old value: its type and value metadata.
_VALUE_ATTRS = frozenset({b"r", b"s", b"t", b"cm", b"vm"})


@dataclass
class SheetPlan:
    """What to do to one sheet."""

    name: str
    cells: dict[tuple[int, int], Value]  # 0-based (row, col) -> value, as in ChangeSet
    removed: set[int] = field(default_factory=set)  # 0-based rows to delete
    extensions: list[Extension] = field(default_factory=list)
    header_rows: set[int] = field(default_factory=set)  # rows a new cell never copies a style from
    # Columns of extended tables that Excel fills with a formula (calculatedColumnFormula):
    # col -> (the table's extension, formula). Appended rows get it where the change set writes nothing.
    calculated: dict[int, tuple[Extension, str]] = field(default_factory=dict)
    # The style to give a date, from the style the cell has or inherits (with_time: a datetime).
    date_style: Callable[[int, bool], int] = lambda style, with_time: style
    # Days between the 1900 and the workbook's date system: 1462 in Mac Excel's 1904 system.
    epoch_days: int = 0


class Formula(str):
    """A formula the patcher itself writes (a table's calculated column), never one from a change set."""


class Rows:
    """Streams the new <sheetData> content row by row; untouched rows are copied as they are. The
    old content comes in windows of whole rows (:func:`whole_rows`), one at a time."""

    def __init__(self, windows: Iterable[bytes], col_style: Callable[[int], int], plan: SheetPlan,
                 edits: dict[int, dict[int, Value]], rows: RowMap, check: RowCheck | None = None):
        # The old <sheetData> content, the window of it being rewritten, and each column's own style.
        self.windows, self.xml, self.col_style = windows, b"", Memo(col_style)
        self.plan, self.edits = plan, edits
        self.rows = rows or None  # None when no row goes (asked of every row: a RowMap answers in Python)
        self.check = check  # verifies each rewritten row as it goes out (row_check.py)
        self.shared: dict[bytes, tuple[int, int, str]] = {}  # si -> first cell and text, to spell out
        # The row untouched ones are copied up to, and where it is or goes in the window (0: none yet)
        self.target: tuple[int | None, int] = (0, 0)
        # The last row written (old number, cells, and the styles of cells appended to it by column):
        # where a new cell takes its style from. The styles save a search for the cell above.
        self.above: tuple[int, bytes, dict[int, int]] = (0, b"", {})
        self.appended: dict[int, int] = {}  # col -> style of each cell appended to the row being written
        # (style, with time) -> the style showing the date
        self.date_styles = Memo(lambda key: plan.date_style(*key))
        # text or date-time -> all of its cell after the style (type, children, end tag), spelt once: a
        # refresh writes the same states and deadlines on many rows (the two types never equal one
        # another, unlike 1 and True)
        self.spelt = Memo(lambda value: b"%s>%s</c>" % _value_xml(value))

    def __iter__(self) -> Iterator[bytes]:
        pending, i, r = sorted(self.edits), 0, 0
        copying = False  # whether the window before ended in a stretch of untouched rows: it goes on here
        for xml in self.windows:
            self.xml, self.target, pos, end = xml, (0, 0), 0, len(xml)
            final = _last_row(xml, pos, end)
            last = _number(final[0]) if final else 0
            while True:
                target = pending[i] if i < len(pending) else None
                # With no row removed, the rows before the next edited one are found by its number and
                # copied as one slice: a refresh edits the few last rows of a long Log. (A shared
                # formula spelt out may reach any row below.)
                copying = (target != r + 1 or copying) and not self.rows and not self.shared
                if copying:
                    pos, r = yield from self._untouched(target, last, pos, end, r)
                found = _next_row(xml, pos, end)
                if found is None:
                    break
                copying = False
                attrs, content, raw, pos = found
                number = _ROW_NUMBER.search(attrs)
                r = int(number.group(1)) if number else r + 1
                while i < len(pending) and pending[i] < r:
                    yield self._new_row(pending[i])
                    i += 1
                if i < len(pending) and pending[i] == r:
                    i += 1
                yield self._row(r, attrs, content, raw, number is not None)
        for r in pending[i:]:
            yield self._new_row(r)
        if self.check:
            self.check.done(set(self.edits))

    def _untouched(self, target: int | None, last: int | None, pos: int, end: int, r: int) -> Iterator[bytes]:
        """The rows from ``pos`` numbered below ``target`` (None: all), as they are, up to the first
        one not numbered first thing (written out row by row); returns where they end and the number of
        the last one (``r`` when there is none). ``last``: the number of the window's last row."""
        xml = self.xml
        if self.target[0] != target:  # (a row without its number may cut the stretch short of it: once)
            self.target = (target, self._row_at(target, last, pos, end))
        at = self.target[1]
        unnumbered = _UNNUMBERED_ROW.search(xml, pos, at)
        if unnumbered:
            at = unnumbered.start()
        if at > pos:
            above = _last_row(xml, pos, at)
            if above:  # (the stretch may be only the space between two rows)
                r = _number(above[0])
                self.above = (r, above[1], {})
            yield memoryview(xml)[pos:at]  # a view, not a copy: the stretch may be all of the window
        return at, r

    def _row_at(self, target: int | None, last: int | None, pos: int, end: int) -> int:
        """Where row ``target`` (None: a row past all) is, or goes: before the first row numbered past it."""
        xml = self.xml
        if target is None or (last is not None and target > last):
            return end
        at = xml.find(b'<row r="%d"' % target, pos, end)
        if at < 0:  # a new row within the sheet
            at = pos
            while (found := _next_row(xml, at, end)) and (_number(found[0]) or 0) < target:
                at = found[3]
        return at

    def _row(self, r: int, attrs: bytes, content: bytes, raw: bytes, numbered: bool) -> bytes:
        new_r = self.rows.row(r) if self.rows else r
        edits = self.edits.get(r)
        if new_r is None:
            if b"shared" in content:
                self._formulas(r, normalised(r, content), None)  # spelt out where it is shared below
            return b""
        formulas = bool(self.rows or (self.shared and b"si=" in content) or (edits and b"shared" in content)) \
            and b"<f" in content  # (the rarer word first: each test reads the whole row)
        if not (edits or formulas or new_r != r or not numbered):
            self.above = (r, content, {})
            return raw
        was = normalised(r, content)
        spelt = self._formulas(r, was, edits) if formulas else was
        content = self._splice(r, spelt, edits) if edits else spelt
        if self.check:
            if edits and (spelt is was or spelt == was):
                self.check(r, raw, was, content, edits, Formula)
            else:  # a shared formula spelt out: no edit says what the row should hold
                self.check.unchecked(r, raw)
        self.above = (r, content, self.appended if edits else {})
        if new_r != r:
            content = renumbered(content, new_r)
        attrs = with_number(attrs, new_r)
        if edits:
            attrs = _SPANS.sub(b"", attrs)  # spans is only a hint; a stale one is worse than none
        return b"<row%s>%s</row>" % (attrs, content) if content else b"<row%s/>" % attrs

    def _new_row(self, r: int) -> bytes:
        edits = self.edits[r]
        number = b"%d" % r
        content = b"".join(self._cell(number, col, edits[col], None) for col in sorted(edits))
        self.above = (r, content, {})
        if self.check:
            self.check(r, b"", b"", content, edits, Formula)
        if not content:
            return b""
        new_r = self.rows.row(r) if self.rows else r
        if new_r != r:
            content = renumbered(content, new_r)
        return b'<row r="%d">' % new_r + content + b"</row>"

    def _splice(self, r: int, content: bytes, edits: dict[int, Value]) -> bytes:
        # The hot loop of a refresh (every row, 7 cells): C-level findall/find, no match objects.
        number = b"%d" % r
        # a row ending in a cell has no <extLst> (it comes after the cells)
        cells_end = len(content) if content.endswith(b"</c>") else content.find(b"<extLst")
        cells_end = len(content) if cells_end < 0 else cells_end
        at = content.rfind(b'<c r="', 0, cells_end)
        last = _CELL_START.match(content, at) if at >= 0 else None
        written, self.appended = sorted(edits), {}
        if at < 0 or (last and COLUMN[last.group(1)] < written[0]):
            # only new cells right of the row's last one, as a first refresh writes its computed columns
            new = self._new_cells(r, number, written, edits)
            return content[:cells_end] + new + content[cells_end:] if cells_end < len(content) else content + new
        letters = _CELL_START.findall(content)
        cols = [COLUMN[x] for x in letters]
        out, pos = [], 0
        for col in written:
            k = bisect_left(cols, col)
            at = content.find(b'<c r="' + letters[k] + number + b'"', pos) if k < len(cols) else cells_end
            if k < len(cols) and cols[k] == col:
                if type(edits[col]) is Formula:
                    continue  # the user's cell stays
                cell = _CELL.match(content, at)
                out += (content[pos:at], self._cell(number, col, edits[col], cell))
                pos = cell.end()
            else:
                out += (content[pos:at], self._cell(number, col, edits[col], None))
                pos = at
        out.append(content[pos:])
        return b"".join(out)

    def _new_cells(self, r: int, number: bytes, cols: list[int], edits: dict[int, Value]) -> bytes:
        """:meth:`_cell` for each of ``cols``, cells row ``r`` did not have: those holding text or a
        date-time (nearly every cell a first refresh writes) in fewer steps, the same bytes, their
        styles kept in ``appended``."""
        cells, col_style, date_styles, spelt, appended = [], self.col_style, self.date_styles, self.spelt, self.appended
        ref_end = number + b'"'
        for col in cols:
            value = edits[col]
            kind = type(value)
            if kind is not str and (kind is not datetime or self.plan.epoch_days):
                cells.append(self._cell(number, col, value, None))
                continue
            style = col_style[col] or self._style_above(r, col)
            if kind is datetime:
                style = date_styles[style, True]
            appended[col] = style
            cells += (b'<c r="', LETTERS[col], ref_end, _STYLE_ATTR[style], spelt[value])  # one join, no formatting
        return b"".join(cells)

    def _cell(self, number: bytes, col: int, value: Value, cell: re.Match | None) -> bytes:
        kept, style = b"", 0
        if cell is None:
            style = self.col_style[col] or self._style_above(int(number), col)
        else:
            for name, quoted in _ATTR.findall(cell.group(1)):
                if name == b"s":
                    style = int(quoted[1:-1])
                elif name not in _VALUE_ATTRS:
                    kept += b" " + name + b"=" + quoted
        if value is None:  # clear the value, keep the formatting
            if cell is None or not (style or kept):
                return b""
            return b'<c r="%s%s"%s%s/>' % (LETTERS[col], number, _STYLE_ATTR[style], kept)
        if isinstance(value, date):
            style = self.date_styles[style, type(value) is datetime]
            if self.plan.epoch_days:  # the same serial, counted from the workbook's own day 0
                value -= timedelta(days=self.plan.epoch_days)
        kind, children = _value_xml(value)
        return b'<c r="%s%s"%s%s%s>%s</c>' % (LETTERS[col], number, _STYLE_ATTR[style], kind, kept, children)

    def _style_above(self, r: int, col: int) -> int:
        """The style of the cell above a new one: a new cell looks like its column (never a header)."""
        above_r, above, appended = self.above
        if above_r != r - 1 or above_r in self.plan.header_rows:
            return 0
        if col in appended:  # (the last cell of its column there, as the search below finds)
            return appended[col]
        at = above.rfind(b'<c r="%s%d"' % (LETTERS[col], above_r))  # from the end: new cells go right
        if at < 0:
            return 0
        m = _STYLE.search(above, at, above.find(b">", at))
        return int(m.group(1)) if m else 0

    def _formulas(self, r: int, content: bytes, edits: dict[int, Value] | None) -> bytes:
        """Shared formulas spelt out where their first cell goes; references moved when rows go."""
        def fix(m: re.Match) -> bytes:
            cell = m.group(0)
            f = _FORMULA.search(cell) if b"<f" in cell else None
            if f is None:
                return cell
            col = COLUMN[_CELL_START.match(cell).group(1)]
            attrs = dict(_ATTR.findall(f.group(1)))
            text = html.unescape(f.group(2).decode()) if f.group(2) else ""
            if attrs.get(b"t", b"").strip(b"\"'") == b"shared":
                si = attrs.get(b"si")
                if text:  # the shared formula's first cell
                    if self.rows or (edits and col in edits):
                        self.shared[si] = (r, col, text)
                    if not self.rows:
                        return cell
                elif si in self.shared:
                    first_r, first_col, first_text = self.shared[si]
                    text = copy_formula(first_text, (first_r, first_col), (r, col))
                else:
                    return cell
                attrs = {}
            elif not (self.rows and text):
                return cell
            if self.rows:
                text = map_formula(text, self.plan.name, self.rows.span, bare=True)
                if b"ref" in attrs:  # an array formula's range
                    attrs[b"ref"] = b'"%s"' % (map_sqref(attrs[b"ref"][1:-1].decode(), self.rows.span)
                                               or attrs[b"ref"][1:-1].decode()).encode()
            attr_text = b"".join(b" %s=%s" % kv for kv in attrs.items())
            return cell[:f.start()] + b"<f%s>%s</f>" % (attr_text, _escape(text)) + cell[f.end():]
        return _CELL.sub(fix, content)


def whole_rows(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The same bytes, cut again into windows that each end before a row (before the space ahead of
    it) or where the bytes end: no row is cut in two. A row longer than a piece makes a longer window."""
    carry = b""
    for piece in pieces:
        cut = piece.rfind(b"<row")
        if cut < 0:
            carry += piece
            continue
        while cut and piece[cut - 1] in b" \t\r\n":
            cut -= 1
        window = b"".join((carry, memoryview(piece)[:cut]))
        if window:
            yield window
        carry = piece[cut:]
    if carry:
        yield carry


def _next_row(xml: bytes, start: int, end: int) -> tuple[bytes, bytes, bytes, int] | None:
    """(attributes, content, whole element, where it ends) of the first <row> between start and end.

    bytes.find, not a regular expression: a lazy ``.*?</row>`` costs 3x more on a 12 MB sheet.
    """
    pos = xml.find(b"<row", start, end)
    if pos < 0:
        return None
    close = xml.find(b">", pos)
    if xml[close - 1] == 0x2F:  # "/>": an empty row
        return xml[pos + 4:close - 1], b"", xml[pos:close + 1], close + 1
    stop = xml.find(b"</row>", close)
    return xml[pos + 4:close], xml[close + 1:stop], xml[pos:stop + 6], stop + 6


def _last_row(xml: bytes, start: int, end: int) -> tuple[bytes, bytes, bytes, int] | None:
    """As :func:`_next_row`, for the last <row> between start and end."""
    return _next_row(xml, max(xml.rfind(b"<row", start, end), start), end)


def _number(attrs: bytes) -> int | None:
    """The number of a row, from its attributes; None when they hold none."""
    found = _ROW_NUMBER.search(attrs)
    return int(found.group(1)) if found else None


def with_number(attrs: bytes, row: int) -> bytes:
    """A row's attributes with ``row`` as its r=, put first (one the row left out is added)."""
    number = b' r="%d"' % row
    return attrs if attrs == number else number + _ROW_NUMBER.sub(b"", attrs, count=1)


def renumbered(content: bytes, row: int) -> bytes:
    """The row's cells with their references moved to ``row``. Split and joined rather than sub()
    with a template: a template that differs on every row is parsed again for every row (3x slower)."""
    parts = _RENUMBER.split(content)
    number = b'%d"' % row
    parts[1::2] = [column + number for column in parts[1::2]]
    return b"".join(parts)


def normalised(r: int, content: bytes) -> bytes:
    """The row's cells, each with its reference as first attribute (r is optional in the schema)."""
    # A <c> or <c/> tag, or a <c ...> with another attribute first (or a rich text run's <color>,
    # needlessly but harmlessly): a "<c" without ' r="' after it.
    if _UNNUMBERED_CELL.search(content) is None:
        return content
    col = -1

    def fix(m: re.Match) -> bytes:
        nonlocal col
        attrs = _ATTR.findall(m.group(1))
        ref = next((v[1:-1] for n, v in attrs if n == b"r"), None)
        col = COLUMN[re.match(rb"[A-Z]+", ref).group()] if ref else col + 1
        rest = b"".join(b" %s=%s" % (n, v) for n, v in attrs if n != b"r")
        close = b"/>" if m.group(2) is None else b">" + m.group(2) + b"</c>"
        return b'<c r="%s%d"%s%s' % (LETTERS[col], r, rest, close)
    return _CELL.sub(fix, content)


_STYLE_ATTR = Memo(lambda style: b' s="%d"' % style if style else b"")  # 3 -> b' s="3"'


def _escape(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def _value_xml(value: Value) -> tuple[bytes, bytes]:
    """(type attribute, children) of a cell holding ``value``. A str is always text, never a formula."""
    kind = type(value)
    if kind is str:  # what nearly every cell holds, first
        return b' t="inlineStr"', _inline(value)
    if kind is datetime:
        return b"", b"<v>%r</v>" % to_serial(value)
    if kind is Formula:
        return b"", b"<f>%s</f>" % _escape(value)
    if isinstance(value, str):
        return b' t="inlineStr"', _inline(str(value))
    if kind is bool:
        return b' t="b"', b"<v>1</v>" if value else b"<v>0</v>"
    if isinstance(value, date):
        return b"", b"<v>%r</v>" % to_serial(value)
    if isinstance(value, int):
        return b"", b"<v>%d</v>" % value
    return b"", b"<v>%r</v>" % float(value)


@lru_cache(maxsize=4096)  # a refresh writes the same few states and flags on every row
def _inline(text: str) -> bytes:
    # _xHHHH_ is how the format spells characters XML cannot hold; a literal one is escaped itself.
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    space = b' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else b""
    return b"<is><t%s>%s</t></is>" % (space, _escape(text))
