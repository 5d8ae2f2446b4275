"""Read a workbook leaving out the rows its caller already knows (:mod:`workbook.core.row_digests`).

A refresh of a big tracker needs the values of few rows: most tickets are done and unchanged since
the refresh that judged them. The sheets the caller knows rows of are streamed (inflated a megabyte at
a time, never whole), every row is digested as it goes by, the known rows are left out, and calamine
parses the others in a small package of their own, beside the workbook's styles, shared strings and
date system, so that they read exactly as :func:`read_book` reads them.

A row's bytes run from its ``<row`` to the next row's (or to the body's end): whitespace a writer
puts between rows belongs to the row before. The bytes of the ``<sheetData>`` body before its first
row are its lead.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator

from ..core.book import BookData, SheetData
from ..core.collector import collector_paused
from ..core.row_digests import Known, Prefix, Skim
from .package import CONTENT_TYPES, STYLES, Package, rels_part_of
from .reader import open_workbook, read_sheet, read_sheets
from .safety import check_package, inflated
from .sheet_rows import normalised, renumbered
from .total_row import book_total_rows

ROW_DIGEST_SIZE = 8  # bytes of a row's digest
SUM_SIZE = 16  # bytes of a prefix's digest and of a book's context
SHARED_STRINGS = "/sharedStrings"
_ROW = b"<row"
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<dimension\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\sr="\d+"')
_LEFT_OUT: list = []  # the values of every row left out: one list, never changed


def read_partial(path: str | Path, known: dict[str, Known], context: bytes) -> BookData:
    """All sheets' values as :func:`read_book` reads them, but the rows ``known`` leaves out: ``[]``.

    ``context`` is the book's context when ``known`` was taken (:func:`skim_sheets`); a book whose
    context has changed since is read whole. ``skims`` tells what was seen of each sheet streamed.
    A streamed sheet's ``longest_text`` is that of the rows read: the rows left out were checked
    when they were read.
    """
    check_package(path)
    pkg = Package.open(path)
    frame = _frame(pkg)
    found = _context(pkg, frame, known)
    members = _members(pkg, known) if found == context else {}
    total_rows = book_total_rows(pkg)
    del pkg  # the whole file: the streams read it from disk
    names = open_workbook(path).sheet_names
    with collector_paused(), ThreadPoolExecutor(2) as pool:
        jobs = {n: pool.submit(_read_known, path, frame, n, members[n], known[n]) for n in names if n in members}
        sheets = read_sheets(path, [n for n in names if n not in jobs])
        streamed = {n: job.result() for n, job in jobs.items()}
    sheets.update((n, sheet) for n, (sheet, _) in streamed.items())
    return BookData({n: sheets[n] for n in names}, str(path), total_rows=total_rows,
                    skims={n: skim for n, (_, skim) in streamed.items()}, context=found)


def skim_sheets(path: str | Path, end_rows: dict[str, int | None]) -> tuple[dict[str, Skim], bytes]:
    """Each named sheet's row digests and the :class:`Prefix` of its rows before ``end_rows[name]``
    (None: all of them), without parsing a value; and the book's context."""
    pkg = Package.open(path)
    context = _context(pkg, _frame(pkg), end_rows)
    members = _members(pkg, end_rows)
    del pkg
    with ThreadPoolExecutor(2) as pool:
        skims = pool.map(lambda name: _skim(path, members[name], end_rows[name]), members)
        return dict(zip(members, skims)), context


def _read_known(path: str | Path, frame: dict[str, bytes], name: str, member: str,
                known: Known) -> tuple[SheetData, Skim]:
    with zipfile.ZipFile(path) as package:
        stream = _Stream(inflated(package, package.getinfo(member)),
                         until_size=known.prefix.size if known.prefix else None)
        picked = _pick(stream, known, _Mini(frame, member, stream.head))
    if picked is not None:
        workbook = open_workbook(path, picked.mini.package(stream.tail)) if picked.mini.numbers else None
        mini = read_sheet(path, workbook, name) if workbook is not None else SheetData(name, [], longest_text=0)
        if len(mini.rows) <= len(picked.mini.numbers):  # more: a row calamine placed by a reference not renumbered
            return _placed(mini, picked), Skim(stream.digests, stream.prefix(), known.prefix is not None,
                                               picked.left_out)
    return read_sheet(path, open_workbook(path), name), Skim(stream.digests, stream.prefix(), False)


def _skim(path: str | Path, member: str, end_row: int | None) -> Skim:
    with zipfile.ZipFile(path) as package:
        stream = _Stream(inflated(package, package.getinfo(member)), until_row=end_row)
        for _ in stream.batches():
            pass
    return Skim(stream.digests, stream.boundary or stream.prefix(), False)


class _Stream:
    """A worksheet as it inflates: the bytes before and after its <sheetData> body, and the body's
    rows, a batch for each chunk, each row with its number and digest.

    It takes the body's :class:`Prefix` (``boundary``) at the first row boundary with ``until_size``
    bytes of the body, or the rows up to 1-based ``until_row``, before it; at the body's end when
    neither comes. A prefix's digest sums the lead and its rows' digests, not the bytes again: the
    assurance of a row's own digest, for nothing.
    """

    def __init__(self, chunks: Iterator[bytes], until_size: int | None = None, until_row: int | None = None):
        self.digests: list[int | None] = []  # by 0-based row (None: no such row)
        self.boundary: Prefix | None = None
        self.size = self.end_row = self._last = 0  # bytes and rows of the body so far, the last row's number
        self.tail = b""
        self._chunks, self._until_size, self._until_row = chunks, until_size, until_row
        self._sum = blake2b(digest_size=SUM_SIZE)
        self.head, self._body, prefix = self._open()
        self.tag = b"<%srow" % prefix
        self._end = b"</%ssheetData>" % prefix
        self._row_sum = blake2b(self.tag, digest_size=ROW_DIGEST_SIZE)
        self._numbers = _row_numbers(self.tag)
        # calamine reads the rows kept in a package of their own: their cells renumbered, which is
        # done for the usual spelling only (a sheet with prefixed tags, or none, is read whole)
        self.streamable = self._body is not None and not prefix

    def _open(self) -> tuple[bytes, bytes | None, bytes]:
        """(head up to the end of the <sheetData> tag, the body's first bytes or None for a sheet
        without one, its namespace prefix)."""
        data = b""
        for chunk in self._chunks:
            data += chunk
            found = _SHEET_DATA.search(data)
            if found:
                head, body, prefix = data[:found.end()], data[found.end():], found.group(1) or b""
                if found.group(2):  # <sheetData/>: read as <sheetData></sheetData>
                    head, body = head[:-2] + b">", b"</%ssheetData>" % prefix + body
                return head, body, prefix
        return data, None, b""

    def batches(self) -> Iterator[tuple[list[int], list[int], list[bytes], int]]:
        """(row numbers, digests, bytes after the tag, how many lie before the boundary) of each
        chunk's whole rows."""
        if self._body is None:
            return self._finish()
        tag, rest, lead = self.tag, b"", True
        for chunk in chain([self._body], self._chunks):
            data = rest + chunk
            end = data.find(self._end)
            if end >= 0:
                self.tail = data[end:] + b"".join(self._chunks)
                data = data[:end]
            pieces = data.split(tag)
            if lead:
                if len(pieces) == 1 and end < 0:  # no row yet
                    rest = data
                    continue
                self._sum.update(pieces[0])
                self.size, lead = len(pieces[0]), False
            stop = len(data) if end >= 0 else len(data) - len(pieces[-1]) - len(tag)
            rest = b"" if end >= 0 else tag + pieces.pop()
            if len(pieces) > 1:
                yield self._batch(self._numbers.findall(data, 0, stop), pieces[1:])
            if end >= 0:
                return self._finish()
        self.streamable = False  # no end to the body: calamine says what is wrong with it
        self._finish()

    def prefix(self) -> Prefix:
        """The body's prefix read so far."""
        return Prefix(self.size, self._sum.digest(), self.end_row)

    def _finish(self) -> None:
        self.boundary = self.boundary or self.prefix()

    def _batch(self, found: list[bytes], pieces: list[bytes]) -> tuple[list[int], list[int], list[bytes], int]:
        numbers = list(map(int, found)) if b"" not in found else self._counted(found)
        self._last = numbers[-1]
        digests = _digests(self._row_sum, pieces)
        before = 0
        if self.boundary is None:
            before, reached = self._before(numbers, pieces)
            self._add(numbers[:before], digests[:before], pieces[:before])
            if reached:
                self.boundary = self.prefix()
        self._add(numbers[before:], digests[before:], pieces[before:])
        return numbers, digests, pieces, before

    def _counted(self, found: list[bytes]) -> list[int]:
        """Row numbers where a row without r= is the one after the row before (as calamine counts)."""
        numbers, last = [], self._last
        for r in found:
            last = int(r) if r else last + 1
            numbers.append(last)
        return numbers

    def _before(self, numbers: list[int], pieces: list[bytes]) -> tuple[int, bool]:
        """(how many of the batch's rows come before the boundary, whether it comes after them)."""
        if self._until_row is not None:
            if max(numbers) <= self._until_row:
                return len(numbers), False
            return next(i for i, n in enumerate(numbers) if n > self._until_row), True
        if self._until_size is None:
            return 0, False
        offset, tag = self.size, len(self.tag)
        if offset + sum(map(len, pieces)) + tag * len(pieces) < self._until_size:
            return len(pieces), False
        for i, piece in enumerate(pieces):
            if offset >= self._until_size:
                return i, True
            offset += tag + len(piece)
        return len(pieces), True

    def _add(self, numbers: list[int], digests: list[int], pieces: list[bytes]) -> None:
        if not numbers:
            return
        self._sum.update(struct.pack("<%dQ" % len(digests), *digests))
        self.size += sum(map(len, pieces)) + len(self.tag) * len(pieces)
        self.end_row = max(self.end_row, max(numbers))
        first = numbers[0]
        if first == len(self.digests) + 1 and numbers == list(range(first, first + len(numbers))):
            self.digests += digests  # the usual sheet: every row, in order
            return
        for n, digest in zip(numbers, digests):
            self.digests += [None] * (n - len(self.digests))
            self.digests[n - 1] = digest


def _digests(start: blake2b, pieces: list[bytes]) -> list[int]:
    """The digest of each row: ``start`` has taken its tag, ``pieces`` are the bytes after it."""
    out = []
    for piece in pieces:
        row = start.copy()
        row.update(piece)
        out.append(int.from_bytes(row.digest(), "little"))
    return out


@lru_cache(maxsize=8)
def _row_numbers(tag: bytes) -> re.Pattern[bytes]:
    """Finds each row's tag and the number in its r= (b"" when it has none)."""
    return re.compile(re.escape(tag) + rb'(?:[^>]*?\sr="(\d+)")?')


class _Mini:
    """The package calamine reads a streamed sheet's kept rows from, written as they are kept: the
    frame's parts, stored (calamine reads it at once), and the worksheet with the rows renumbered
    1, 2, ... (calamine lays a sheet out densely, from its first row to its last)."""

    def __init__(self, frame: dict[str, bytes], member: str, head: bytes):
        self.numbers: list[int] = []  # the kept rows' own 1-based numbers
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w")
        for name, data in frame.items():
            self._zip.writestr(name, data)
        self._sheet = self._zip.open(member, "w")
        self._sheet.write(_DIMENSION.sub(b"", head, count=1))  # calamine would make room for every cell

    def keep(self, number: int, piece: bytes) -> None:
        self.numbers.append(number)
        self._sheet.write(_moved(piece, len(self.numbers)))

    def package(self, tail: bytes) -> io.BytesIO:
        """The package, ending the worksheet with ``tail``; handed over, not kept."""
        self._sheet.write(tail)
        self._sheet.close()
        self._zip.close()
        out, self._buffer = self._buffer, None
        out.seek(0)
        return out


@dataclass
class _Picked:
    """The rows of a streamed sheet to read, and those left out."""

    mini: _Mini
    left_out: set[int] = field(default_factory=set)  # 0-based rows left out by their digest
    end: int = 0  # one past the last row left out


def _pick(stream: _Stream, known: Known, mini: _Mini) -> _Picked | None:
    """The rows of ``stream`` to read; None when the sheet is to be read whole (it does not begin
    with the known prefix, or it cannot be streamed). Rows in ``known.wanted`` are always read."""
    picked = _Picked(mini) if stream.streamable else None
    wanted = {r + 1 for r in known.wanted}
    for numbers, digests, pieces, before in stream.batches():
        if picked is None:
            continue  # only the digests are wanted now
        if before:  # rows in the prefix: left out if it is the one known
            for i in range(before) if wanted else ():
                if numbers[i] in wanted:
                    mini.keep(numbers[i], pieces[i])
            picked.end = max(picked.end, next((n for n in reversed(numbers[:before]) if n not in wanted), 0))
        for i in range(before, len(pieces)):
            if digests[i] in known.digests and numbers[i] not in wanted:
                picked.left_out.add(numbers[i] - 1)
                picked.end = max(picked.end, numbers[i])
            else:
                mini.keep(numbers[i], pieces[i])
        if known.prefix is not None and stream.boundary not in (None, known.prefix):
            picked = None
    if picked is None or not stream.streamable or known.prefix not in (None, stream.boundary):
        return None
    return picked


def _moved(piece: bytes, number: int) -> bytes:
    """A row (its bytes after the tag) moved to row ``number``: its r= and its cells' references."""
    close = piece.find(b">")
    attrs = b' r="%d"' % number + _ROW_NUMBER.sub(b"", piece[:close], count=1)
    return _ROW + attrs + renumbered(normalised(number, piece[close:]), number)


def _placed(mini: SheetData, picked: _Picked) -> SheetData:
    """The rows calamine read back at their own rows, the rows left out ``[]``. The sheet ends after
    the last row left out or holding a value."""
    numbers = picked.mini.numbers
    rows = [_LEFT_OUT] * max(picked.end, numbers[len(mini.rows) - 1] if mini.rows else 0)
    for number, values in zip(numbers, mini.rows):
        rows[number - 1] = values
    return SheetData(mini.name, rows, longest_text=mini.longest_text)


def _frame(pkg: Package) -> dict[str, bytes]:
    """Member name -> bytes of the parts any sheet's values depend on: the content types, the
    package's and the workbook's relationships, the workbook, its styles and shared strings."""
    book = pkg.workbook_part
    parts = [CONTENT_TYPES, rels_part_of(""), book, rels_part_of(book), *pkg.related(book, STYLES),
             *pkg.related(book, SHARED_STRINGS)]
    return {pkg.name(p): pkg.read(p) for p in parts if pkg.name(p)}


def _context(pkg: Package, frame: dict[str, bytes], sheets: Iterable[str]) -> bytes:
    """The digest of what gives the ``sheets``' row bytes their values: the styles (a number styled
    as a date reads as a date), the shared strings (a cell holds an index into them), the date system,
    and the worksheet part each sheet is."""
    book, parts = pkg.workbook_part, pkg.sheet_parts()

    def first(kind: str) -> bytes:
        found = [pkg.name(p) for p in pkg.related(book, kind) if pkg.name(p)]
        return frame[found[0]] if found else b""
    fields = [first(STYLES), first(SHARED_STRINGS), b"1904" if pkg.dates_from_1904() else b"1900"]
    fields += [f"{name}\n{parts.get(name, '')}".encode() for name in sorted(sheets)]
    out = blake2b(digest_size=SUM_SIZE)
    for data in fields:
        out.update(b"%d:" % len(data))
        out.update(data)
    return out.digest()


def _members(pkg: Package, names: Iterable[str]) -> dict[str, str]:
    """Sheet name -> the member holding its worksheet, for each of ``names`` the book has."""
    parts = pkg.sheet_parts()
    return {n: pkg.name(parts[n]) for n in names if n in parts and pkg.name(parts[n])}
