"""Verify a sheet while it is written: each rewritten row holds the change set's values, nothing else.

Reading the written sheet back whole with calamine cost a third of a refresh. A row the change set
does not touch is copied as the bytes it had, so only rewritten rows need a look, and they are
checked as they stream out, by other means than wrote them: the row is parsed with lxml (so it is
well-formed) and each written cell's value is decoded from the tree; every other cell of the row
must keep its exact bytes. Used when rows keep their numbers and few of them change (a steady
refresh); a sheet that loses rows, or whose rows nearly all change, is read back whole (file_engine).

Rows are Excel's 1-based numbers; columns 0-based.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from lxml import etree

from ..core.book import Value
from ..core.cells import EXCEL_EPOCH, FIRST_DATE, a1, col_letter, day_of
from ..core.errors import ReadBackMismatch, VerifyError

ONE_SECOND = 1 / 86400 + 1e-9  # in days
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class RowCheck:
    """Called with each row as written; ``done()`` then says whether every edited row came by."""

    def __init__(self, sheet: str, nsmap: dict[str | None, str]):
        self.sheet = sheet
        decls = "".join(f' xmlns{":" + p if p else ""}="{uri}"' for p, uri in nsmap.items())
        self.open = f"<row{decls}>".encode()
        self.ns = nsmap.get(None, "")
        self.seen: set[int] = set()
        self.letters: dict[int, bytes] = {}  # col -> b'<c r="AB'

    def __call__(self, r: int, old: bytes, new: bytes, edits: dict[int, Value], skip: type) -> None:
        """Row ``r`` held ``old`` (its cells' bytes, each with its r; b"" for a new row) and is written as
        ``new``; ``edits`` col -> value; values of type ``skip`` (a table's calculated formula) are the
        patcher's own."""
        self.seen.add(r)
        refs = [(col, self._ref(col, r)) for col in edits]
        old_rest, _ = _cut(old, refs)
        new_rest, cells = _cut(new, refs)
        if old_rest != new_rest:
            raise VerifyError("verify_row_beyond", where=self.sheet, row=r)
        try:
            row = etree.fromstring(self.open + b"".join(cells) + b"</row>", _PARSER)
        except etree.XMLSyntaxError as exc:
            raise VerifyError("verify_row_unreadable", where=self.sheet, row=r, reason=exc) from exc
        found = {c.get("r"): c for c in row}
        for col, want in edits.items():
            if type(want) is skip:
                continue
            ref = f"{col_letter(col)}{r}"
            got = _value(found.get(ref), self.ns)
            if not same(want, got):
                raise ReadBackMismatch(self.sheet, ref, want=want, got=got)

    def _ref(self, col: int, r: int) -> bytes:
        if col not in self.letters:
            self.letters[col] = b'<c r="' + col_letter(col).encode()
        return self.letters[col] + b'%d"' % r

    def done(self, edited: set[int]) -> None:
        missing = edited - self.seen
        if missing:
            raise VerifyError("verify_never_written", where=f"{self.sheet}!{a1(min(missing) - 1, 0)}")


def _cut(content: bytes, refs: list[tuple[int, bytes]]) -> tuple[bytes, list[bytes]]:
    """(the row without the cells ``refs`` start, those cells). The ref ends in a quote, so A1 is not A12."""
    spans = []
    for _, ref in refs:
        start = content.find(ref)
        if start >= 0:
            close = content.find(b">", start)
            end = close + 1 if content[close - 1] == 0x2F else content.find(b"</c>", close) + 4
            spans.append((start, end))
    spans.sort()
    rest, cells, pos = [], [], 0
    for start, end in spans:
        rest.append(content[pos:start])
        cells.append(content[start:end])
        pos = end
    rest.append(content[pos:])
    return b"".join(rest), cells


def _value(cell, ns: str) -> Value:
    """A cell's value as Excel would read it: None, text, bool or number (a date is its serial)."""
    if cell is None:
        return None
    kind = cell.get("t")
    if kind == "inlineStr":
        text = "".join(t.text or "" for t in cell.iter(f"{{{ns}}}t"))
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text
    v = cell.findtext(f"{{{ns}}}v")
    if v is None:
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
