"""A worksheet's rows as it inflates, each with its number and the digest of its bytes, for a read
that leaves out the rows its caller knows (:mod:`workbook.xlsx.partial_read`).

A row's bytes run from its ``<row`` to the next row's (or to the body's end): whitespace a writer
puts between rows belongs to the row before. The bytes of the ``<sheetData>`` body before its first
row are its lead.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from hashlib import blake2b
from itertools import chain
from operator import methodcaller
from typing import Iterable, Iterator

from ..core.row_digests import Prefix
from .sheet_xml import SHEET_DATA

ROW_DIGEST_SIZE = 8  # bytes of a row's digest
SUM_SIZE = 16  # bytes of a prefix's digest and of a book's context
_NUMBER = re.compile(rb'(?:[^>]*?\sr="([^"]*)")?')  # a row's r=, in its attributes (after its tag)
_NUMBER_FIRST = methodcaller("startswith", b' r="')


class RowStream:
    """A worksheet as it inflates: the bytes around its <sheetData> body, and the body's rows in
    batches, one for each chunk's whole rows, each row with its number and digest.

    The body's bytes are hashed as they go by (:class:`Prefix`). The rows of a ``known`` prefix are
    not digested, nor split one from another: of them only the ``wanted`` ones (0-based) are found,
    in a batch without digests; ``prefix_kept`` tells, once they are read, whether the body begins
    with that prefix. ``boundary`` is the prefix of the rows before 0-based ``end_row`` (of the
    whole body when None, or past the last row).
    """

    def __init__(self, chunks: Iterator[bytes], known: Prefix | None = None, wanted: Iterable[int] = (),
                 end_row: int | None = None):
        self.digests: list[int | None] = []  # by 0-based row (None: no such row, or one of the known prefix)
        self.boundary: Prefix | None = None
        self.prefix_kept = False
        self.size = self.end_row = self._last = 0  # bytes and rows of the body so far, the last row's number
        self.tail = b""
        self._chunks, self._known, self._end_row = chunks, known, end_row
        self._wanted = sorted(r + 1 for r in wanted)  # row numbers
        self._sum = blake2b(digest_size=SUM_SIZE)
        self.head, self._body, prefix = self._open()
        self.tag = b"<%srow" % prefix
        self._end = b"</%ssheetData>" % prefix
        self._row_sum = blake2b(self.tag, digest_size=ROW_DIGEST_SIZE)
        self._spelt = re.compile(re.escape(self.tag) + rb' r="(\d+)"')
        # calamine reads the rows kept in a package of their own: their cells renumbered, which is
        # done for the usual spelling only (a sheet with prefixed tags, or none, is read whole)
        self.streamable = self._body is not None and not prefix

    def _open(self) -> tuple[bytes, bytes | None, bytes]:
        """(head up to the end of the <sheetData> tag, the body's first bytes or None for a sheet
        without one, its namespace prefix)."""
        data = b""
        for chunk in self._chunks:
            data += chunk
            found = SHEET_DATA.search(data)
            if found:
                head, body, prefix = data[:found.end()], data[found.end():], found.group(1) or b""
                if found.group(2):  # <sheetData/>: read as <sheetData></sheetData>
                    head, body = head[:-2] + b">", b"</%ssheetData>" % prefix + body
                return head, body, prefix
        return data, None, b""

    def batches(self) -> Iterator[tuple[list[int], list[int] | None, list[bytes]]]:
        """(row numbers, digests or None in the known prefix, bytes after the tag) of each chunk's
        whole rows."""
        if self._body is None:
            return self._finish()
        rest = b""
        for chunk in chain([self._body], self._chunks):
            data = rest + chunk
            end = data.find(self._end)
            if end >= 0:
                self.tail = data[end:] + b"".join(self._chunks)
                data = data[:end]
            stop = len(data) if end >= 0 else data.rfind(self.tag)  # where the row the chunk cuts starts
            if stop > 0:
                yield from self._whole_rows(data, stop)
            rest = data[max(stop, 0):]
            if end >= 0:
                return self._finish()
        self.streamable = False  # no end to the body: calamine says what is wrong with it
        self._finish()

    def prefix(self) -> Prefix:
        """The body's prefix read so far."""
        return Prefix(self.size, self._sum.digest(), self.end_row)

    def _finish(self) -> None:
        self._reached_known()
        self.boundary = self.boundary or self.prefix()

    def _whole_rows(self, data: bytes, stop: int) -> Iterator[tuple[list[int], list[int] | None, list[bytes]]]:
        """The batches of ``data[:stop]``: its rows in the known prefix, then the others."""
        self._reached_known()
        cut = min(stop, self._known.size - self.size) if self._in_known() else 0
        if cut:
            yield self._in_prefix(data, cut)
            self._reached_known()
        if cut < stop:
            found = self._rows(data, cut, stop)
            if found[0]:
                yield found

    def _in_known(self) -> bool:
        return self._known is not None and self.size < self._known.size

    def _reached_known(self) -> None:
        if self._known is not None and self.size == self._known.size:
            self.prefix_kept = self._sum.digest() == self._known.digest

    def _in_prefix(self, data: bytes, cut: int) -> tuple[list[int], None, list[bytes]]:
        """The wanted rows of ``data[:cut]``, in the known prefix."""
        self._sum.update(memoryview(data)[:cut])
        self.size += cut
        found = self._wanted_by_tag(data, cut)
        if found is None:  # a row spelt otherwise: all of them split
            numbers, pieces = self._split(data, 0, cut)[:2]
            wanted = set(self._wanted)
            found = [n for n in numbers if n in wanted], [p for n, p in zip(numbers, pieces) if n in wanted]
            del self._wanted[:bisect_right(self._wanted, self._last)]
        self.end_row = max(self.end_row, self._last)
        return found[0], None, found[1]

    def _wanted_by_tag(self, data: bytes, cut: int) -> tuple[list[int], list[bytes]] | None:
        """The wanted rows of ``data[:cut]`` found by their tag as it is usually spelt (<row r="7"),
        the others not looked at; None when the last row, or a wanted row, is not found so."""
        tag, wanted = self.tag, self._wanted
        last_at = data.rfind(tag, 0, cut)
        if last_at < 0:
            return [], []
        last = self._spelt.match(data, last_at)
        if last is None:
            return None
        count = bisect_right(wanted, int(last.group(1)))
        numbers, pieces, at = wanted[:count], [], 0
        for number in numbers:
            found = data.find(b'%s r="%d"' % (tag, number), at, cut)
            if found < 0:
                return None
            at = data.find(tag, found + len(tag), cut)
            at = cut if at < 0 else at
            pieces.append(data[found + len(tag):at])
        del wanted[:count]
        self._last = int(last.group(1))
        return numbers, pieces

    def _rows(self, data: bytes, start: int, stop: int) -> tuple[list[int], list[int], list[bytes]]:
        """The rows of ``data[start:stop]``, digested, and its bytes hashed: up to the row
        ``end_row`` when it comes in them, the prefix taken there, then past it."""
        numbers, pieces, lead = self._split(data, start, stop)
        digests = _digests(self._row_sum, pieces)
        at = start
        if self.boundary is None and self._end_row is not None and numbers and max(numbers) > self._end_row:
            k = next(i for i, n in enumerate(numbers) if n > self._end_row)  # 1-based n: 0-based row n - 1
            at = start + lead + sum(map(len, pieces[:k])) + len(self.tag) * k
            self._hash(data, start, at, numbers[:k], digests[:k])
            self.boundary = self.prefix()
            numbers, digests = numbers[k:], digests[k:]
        self._hash(data, at, stop, numbers, digests)
        return numbers, digests, pieces

    def _split(self, data: bytes, start: int, stop: int) -> tuple[list[int], list[bytes], int]:
        """(numbers, bytes after the tag, length of what comes before the first) of the rows of
        ``data[start:stop]``. A row without r= is the one after the row before (as calamine counts)."""
        lead, *pieces = data[start:stop].split(self.tag)
        numbers = _numbers(pieces) or self._counted(pieces)
        self._last = numbers[-1] if numbers else self._last
        return numbers, pieces, len(lead)

    def _counted(self, pieces: list[bytes]) -> list[int]:
        numbers, last = [], self._last
        for piece in pieces:
            found = _NUMBER.match(piece).group(1)
            if found is not None and not found.isdigit():
                self.streamable = False  # calamine refuses the sheet: read whole, it says why
            last = int(found) if found and found.isdigit() else last + 1
            numbers.append(last)
        return numbers

    def _hash(self, data: bytes, start: int, stop: int, numbers: list[int], digests: list[int]) -> None:
        """Takes ``data[start:stop]`` into the body's hash, and its rows' digests."""
        self._sum.update(memoryview(data)[start:stop])
        self.size += stop - start
        if not numbers:
            return
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


def _numbers(pieces: list[bytes]) -> list[int] | None:
    """The rows' numbers when each begins with its r= (as nearly every writer spells it), else None."""
    if all(map(_NUMBER_FIRST, pieces)):
        try:
            return [int(piece[4:piece.index(b'"', 4)]) for piece in pieces]
        except ValueError:  # not a number: as a row without one
            pass
    return None
