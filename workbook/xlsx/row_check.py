"""Verify a sheet while it is written: each rewritten row holds the change set's values, nothing else.

Reading the written sheet back whole with calamine cost a third of a refresh. A row the change set
does not touch is copied as the bytes it had, so only rewritten rows need a look, and they are
checked as they stream out, by other means than wrote them: each written cell is read by a strict
grammar of the cells the patcher writes (an inline string, a number, a boolean: whatever it accepts
is well-formed XML) or, when it does not fit, parsed with lxml; its value is decoded from that (a
cell body read once is known after: a refresh writes the same states and deadlines on many rows),
and every other cell of the row must keep its exact bytes. The stream itself is followed against the
old sheet, window by window as the patcher reads it: every stretch copied must be the old bytes at
that place, each rewritten row must stand where its old row stood, and each window must be written
out whole before the next is read, so no row is lost, doubled or moved. Used when rows keep their
numbers; a sheet that loses rows, or a row rewritten for a reason other than its edits (a shared
formula spelt out), is read back whole (file_engine).

Rows are Excel's 1-based numbers; columns 0-based.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Iterable, Iterator

from lxml import etree

from ..core.book import Value
from ..core.cells import EXCEL_EPOCH, FIRST_DATE, FIRST_MOMENT, a1, col_letter, day_of
from ..core.errors import ReadBackMismatch, VerifyError
from .memo import COLUMN, LETTERS

ONE_SECOND = 1 / 86400 + 1e-9  # in days
_DAY = timedelta(days=1)
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ROW_NUMBER = re.compile(rb'<row r="(\d+)"')
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
# A cell as the patcher writes one, and nothing else: reference, style, type; an inline string of
# characters XML allows (no raw CR: a parser would read it as LF) with the five entities, or a plain
# number, or none. Anything else (kept attributes, formulas, rich text) is parsed with lxml.
# (Possessive loops: what follows one could never match what it gave back, and not keeping the
# places to back up to makes the grammar faster.)
_TEXT = rb"[^<&\x00-\x08\x0b-\x1f]*+(?:&(?:amp|lt|gt|quot|apos);[^<&\x00-\x08\x0b-\x1f]*+)*+"
_NUMBER = rb"-?[0-9]++(?:\.[0-9]++)?+(?:[eE][-+]?[0-9]++)?+"
_BODY_GRAMMAR = (rb'(?: s="[0-9]+")?(?: t="inlineStr"><is><t(?: xml:space="preserve")?>(' + _TEXT + rb')</t></is></c>'
                 rb'|(?: t="(b|n)")?><v>(' + _NUMBER + rb')</v></c>|(?: t="(?:inlineStr|b|n)")?/>)')
_CELL = re.compile(rb'<c r="[A-Z]{1,3}[1-9][0-9]*"' + _BODY_GRAMMAR)  # groups: text, type, number
_BODY = re.compile(_BODY_GRAMMAR)  # a cell after its reference; the same groups
_LAST_CELL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}
_ENTITY = re.compile("&(?:amp|lt|gt|quot|apos);")


class RowCheck:
    """Called with each row as written; :meth:`follow` wraps the row stream; ``done()`` then says
    whether every edited row came by. ``complete`` is False once a row was rewritten that the check
    does not decode: the sheet must then be read back whole."""

    def __init__(self, sheet: str, nsmap: dict[str | None, str]):
        self.sheet = sheet
        decls = "".join(f' xmlns{":" + p if p else ""}="{uri}"' for p, uri in nsmap.items())
        self.open = f"<row{decls}>".encode()
        ns = nsmap.get(None, "")
        self.tags = (f"{{{ns}}}t", f"{{{ns}}}v")
        self.source: Iterator[bytes] = iter(())  # the old <sheetData> content, in windows of whole rows
        self.xml, self.pos = b"", 0  # the window the stream is following, and how far it has
        self.replacing: tuple[int, bytes, bytes | None] | None = None  # the next chunk's row, old element, new cells
        self.seen: set[int] = set()
        self.complete = True
        self.bodies: dict[bytes, Value] = {}  # cell bodies read (after the reference) -> the text or time they hold

    def __call__(self, r: int, raw: bytes, old: bytes, new: bytes, edits: dict[int, Value], skip: type) -> None:
        """Row ``r`` was the element ``raw`` holding the cells ``old`` (each with its r; b"" for a new
        row) and is written with the cells ``new``, as the next chunk; ``edits`` col -> value; values
        of type ``skip`` (a table's calculated formula) are the patcher's own."""
        self.seen.add(r)
        self.replacing = (r, raw, new)
        if new.startswith(old) and self._appended(r, old, new[len(old):], edits, skip):
            return
        number = b'%d"' % r
        refs = [b'<c r="' + LETTERS[col] + number for col in edits]
        new_rest, cells = _cut(new, refs)
        if _cut(old, refs)[0] != new_rest:
            raise VerifyError("verify_row_beyond", where=self.sheet, row=r)
        for (col, want), cell in zip(edits.items(), cells):
            if type(want) is skip:
                continue
            got = self._value(r, cell)
            if not same(want, got):
                raise ReadBackMismatch(self.sheet, f"{col_letter(col)}{r}", want=want, got=got)

    def _appended(self, r: int, old: bytes, tail: bytes, edits: dict[int, Value], skip: type) -> bool:
        """Whether the row is the old one with a cell for each edit added right of its last cell, in
        column order, each in the grammar and holding its value: as a first refresh writes its
        computed columns. False sends the row to the general check, which names what is wrong."""
        cols = sorted(edits)
        at = old.rfind(b'<c r="')
        if at >= 0 and ((last := _LAST_CELL.match(old, at)) is None or COLUMN[last.group(1)] >= cols[0]):
            return False  # an edited column may hold an old cell still
        cells = tail.split(b'<c r="')  # exact: no cell in the grammar holds another's start
        if cells[0] or len(cells) != len(cols) + 1:
            return False  # something before the first cell, or a cell too many or too few
        number, bodies = b'%d"' % r, self.bodies
        for col, cell in zip(cols, islice(cells, 1, None)):
            ref = LETTERS[col] + number
            if not cell.startswith(ref):
                return False  # another cell, or another row's
            body, want = cell[len(ref):], edits[col]
            if bodies.get(body, _UNREAD) != want and (type(want) is skip or not self._reads(body, want)):
                return False
        return True

    def _reads(self, body: bytes, want: Value) -> bool:
        """Whether a cell's ``body`` (all after its reference) is in the grammar and holds ``want``.
        A body found to hold text or a time is known after: a refresh writes the same states and
        deadlines on many rows."""
        m = _BODY.fullmatch(body)
        if m is None:
            return False
        text, kind, value = m.groups()
        if type(want) is datetime and value and not kind and want.tzinfo is None and want >= FIRST_MOMENT:
            ok = abs((want - EXCEL_EPOCH) / _DAY - float(value)) <= ONE_SECOND  # a date-time as its serial
        else:
            ok = same(want, _decoded(text, kind, value))
        if ok and (type(want) is str or type(want) is datetime):  # (not 1, which 1.0 and True equal)
            self.bodies[body] = want
        return ok

    def unchecked(self, r: int, raw: bytes) -> None:
        """Row ``r`` (the element ``raw``) is rewritten, as the next chunk, for a reason other than edits."""
        self.replacing = (r, raw, None)
        self.complete = False

    def windows(self, windows: Iterable[bytes]) -> Iterator[bytes]:
        """The old content, for the patcher to read: each window is handed over once the stream has
        followed the one before to its end."""
        self.source = iter(windows)
        return self._handed_over()

    def _handed_over(self) -> Iterator[bytes]:
        for window in self.source:
            self._followed()
            self.xml, self.pos = window, 0
            yield window

    def follow(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """The new <sheetData> content, passed on; VerifyError unless it is the old content with only
        the rows announced replaced, each in its old row's place."""
        for chunk in chunks:
            xml = self.xml
            if self.replacing is None:
                if not xml.startswith(chunk, self.pos):
                    raise VerifyError("verify_row_beyond", where=self.sheet, row=self._row_at(_differs(xml, self.pos, chunk)))
                self.pos += len(chunk)
            else:
                r, raw, new = self.replacing
                self.replacing = None
                if not xml.startswith(raw, self.pos) or not _holds(chunk, r, new):
                    raise VerifyError("verify_row_beyond", where=self.sheet, row=r)
                self.pos += len(raw)
            yield chunk
        self._followed()
        for window in self.source:  # windows the patcher never read
            self.xml, self.pos = window, 0
            self._followed()

    def _followed(self) -> None:
        if self.pos != len(self.xml):  # rows from here on never came
            raise VerifyError("verify_never_written", where=f"{self.sheet}!A{self._row_at(self.pos)}")

    def done(self, edited: set[int]) -> None:
        missing = edited - self.seen
        if missing:
            raise VerifyError("verify_never_written", where=f"{self.sheet}!{a1(min(missing) - 1, 0)}")

    def _row_at(self, pos: int) -> int:
        """The number of the old row at ``pos``."""
        found = _ROW_NUMBER.match(self.xml, max(self.xml.rfind(b"<row", 0, pos + 4), 0))
        return int(found.group(1)) if found else 0

    def _value(self, r: int, cell: bytes | None) -> Value:
        """A written cell's value as Excel reads it: by the strict grammar, else through lxml."""
        if cell is None:
            return None
        m = _CELL.fullmatch(cell)
        if m is None:
            try:
                return _value(etree.fromstring(self.open + cell + b"</row>", _PARSER)[0], self.tags)
            except etree.XMLSyntaxError as exc:
                raise VerifyError("verify_row_unreadable", where=self.sheet, row=r, reason=exc) from exc
        return _decoded(*m.groups())


def _decoded(text: bytes | None, kind: bytes | None, number: bytes | None) -> Value:
    """The value of a cell in the grammar, from its match's groups (None where a group took no part)."""
    if text is not None:
        text = text.decode()
        if "&" in text:
            text = _ENTITY.sub(lambda e: _ENTITIES[e.group()], text)
        return _ESCAPED.sub(lambda e: chr(int(e.group(1), 16)), text) if "_x" in text else text
    if number is None:
        return None
    return number == b"1" if kind == b"b" else float(number)


def _differs(xml: bytes, pos: int, chunk) -> int:
    """Where in ``xml`` the copy ``chunk`` of it from ``pos`` first differs (by halves: a stretch
    may be most of a big sheet)."""
    chunk = memoryview(chunk)
    same, differs = 0, min(len(chunk), len(xml) - pos) + 1  # the first ``same`` bytes agree
    while differs - same > 1:
        mid = (same + differs) // 2
        if xml.startswith(chunk[:mid], pos):
            same = mid
        else:
            differs = mid
    return pos + same


def _holds(chunk: bytes, r: int, cells: bytes | None) -> bool:
    """Whether ``chunk`` is row ``r``'s element holding ``cells`` (None: any cells)."""
    if not chunk:
        return not cells
    if not chunk.startswith(b'<row r="%d"' % r):
        return False
    if cells is None:
        return True
    return chunk.endswith(b">" + cells + b"</row>") if cells else chunk.endswith(b"/>")


def _cut(content: bytes, refs: list[bytes]) -> tuple[bytes, list[bytes | None]]:
    """(the row without the cells ``refs`` start, each of those cells or None where there is none).
    The ref ends in a quote, so A1 is not A12."""
    spans, cells = [], []
    for ref in refs:
        start = content.find(ref)
        if start < 0:
            cells.append(None)
            continue
        close = content.find(b">", start)
        end = close + 1 if content[close - 1] == 0x2F else content.find(b"</c>", close) + 4
        spans.append((start, end))
        cells.append(content[start:end])
    spans.sort()
    rest, pos = [], 0
    for start, end in spans:
        rest.append(content[pos:start])
        pos = end
    rest.append(content[pos:])
    return b"".join(rest), cells


def _value(cell, tags: tuple[str, str]) -> Value:
    """A cell's value as Excel would read it: None, text, bool or number (a date is its serial);
    ``tags`` are the namespaced names of <t> and <v>."""
    if cell is None:
        return None
    kind = cell.get("t")
    if kind == "inlineStr":
        text = "".join([t.text or "" for t in cell.iter(tags[0])])
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text
    for child in cell:
        if child.tag == tags[1]:
            v = child.text or ""
            break
    else:
        return None
    if kind is None or kind == "n":
        return float(v)
    if kind == "b":
        return v == "1"
    return v  # a shared string, formula text or error: not what the patcher writes, so it fails as text


def same(want: Value, got: object) -> bool:
    """Whether ``got`` (a decoded cell, or calamine's value) is how Excel stores ``want``."""
    if type(want) is str:  # the common cases first: a refresh writes 40,000 cells at 10k tickets
        return type(got) is str and want == got
    if type(want) is datetime and type(got) is float and want.tzinfo is None and want >= FIRST_MOMENT:
        return abs((want - EXCEL_EPOCH) / _DAY - got) <= ONE_SECOND
    if want is None or got is None:
        return want is None and got is None
    if isinstance(want, str) or isinstance(got, str) or isinstance(want, bool) or isinstance(got, bool):
        return type(want) is type(got) and want == got
    # A date reads back as a date or as its serial; calamine resolves date-times to the second.
    tolerance = ONE_SECOND if isinstance(got, (date, time)) or isinstance(want, (date, time)) else 1e-6
    return abs(_number(want) - _number(got)) <= tolerance


def _number(value) -> float:
    """A value as Excel stores it; calamine gives a serial below 1 in a date-formatted cell as a time."""
    if isinstance(value, date) and day_of(value) < FIRST_DATE:  # a small number in a date-formatted cell
        return (day_of(value) - date(1899, 12, 31)).days + _number(value.time() if isinstance(value, datetime) else time())
    if isinstance(value, date):  # exactly, to the microsecond calamine reads back
        moment = value if isinstance(value, datetime) else datetime.combine(value, time())
        return (moment - EXCEL_EPOCH).total_seconds() / 86400
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, timedelta):
        return value.total_seconds() / 86400
    return float(value)


_UNREAD = object()
