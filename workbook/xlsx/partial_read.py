"""Read a workbook leaving out the rows its caller already knows (:mod:`workbook.core.row_digests`).

A refresh of a big tracker needs the values of few rows: most tickets are done and unchanged since
the refresh that judged them. The sheets the caller knows rows of are streamed (inflated a megabyte at
a time, never whole) and hashed as they go by; their rows are digested one by one, but those of a
prefix the caller knows (hashed whole: only the rows it wants are looked for in it). The known rows
are left out, and calamine parses the others in a small package of their own, beside the workbook's
styles, shared strings and date system, so that they read exactly as :func:`read_book` reads them.
The streaming and digesting is :class:`workbook.xlsx.row_stream.RowStream`.
"""

from __future__ import annotations

import io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from typing import Iterable

from ..core.book import BookData, SheetData
from ..core.collector import collector_paused
from ..core.row_digests import Known, Skim
from .package import CONTENT_TYPES, SHARED_STRINGS, STYLES, Package, rels_part_of
from .reader import open_workbook, read_sheet, read_sheets
from .row_stream import SUM_SIZE, RowStream
from .safety import check_dates, check_kept, check_package, check_sheets, date_styles, inflated
from .sheet_rows import normalised, renumbered, with_number
from .total_row import book_total_rows

_ROW = b"<row"
_DIMENSION = re.compile(rb"<dimension\b[^>]*>")
ROWS_A_WRITE = 1000  # rows kept before they are written (and compressed): a write for each costs more


def read_partial(path: str | Path, known: dict[str, Known], context: bytes) -> BookData:
    """All sheets' values as :func:`read_book` reads them, but the rows ``known`` leaves out: empty.

    ``context`` is the book's context when ``known`` was taken (:func:`skim_sheets`); a book whose
    context has changed since is read whole. ``skims`` tells what was seen of each sheet streamed.
    A streamed sheet's ``longest_text`` is that of the rows read: the rows left out were checked
    when they were read.
    """
    check_package(path, streamed=frozenset(known))  # their rows: as they are kept, or below
    with Package.open(path) as pkg:
        frame = _frame(pkg)
        found = _context(pkg, frame)
        members = _members(pkg, known) if found == context else {}
        total_rows = book_total_rows(pkg)
    if unstreamed := frozenset(known) - members.keys():  # read whole after all
        check_sheets(path, unstreamed)
    with zipfile.ZipFile(path) as package:
        dates = date_styles(package)
    names = open_workbook(path).sheet_names
    with collector_paused(), ThreadPoolExecutor(2) as pool:
        jobs = {n: pool.submit(_read_known, path, frame, dates, n, members[n], known[n]) for n in names if n in members}
        sheets = read_sheets(path, [n for n in names if n not in jobs])
        streamed = {n: job.result() for n, job in jobs.items()}
    sheets.update((n, sheet) for n, (sheet, _) in streamed.items())
    return BookData({n: sheets[n] for n in names}, str(path), total_rows=total_rows,
                    skims={n: skim for n, (_, skim) in streamed.items()}, context=found)


def skim_sheets(path: str | Path, end_rows: dict[str, int | None]) -> tuple[dict[str, Skim], bytes]:
    """Each named sheet's row digests and the :class:`Prefix` of its rows before ``end_rows[name]``
    (None: all of them), without parsing a value; and the book's context. For a workbook just
    written or read: it is not scanned again (:func:`check_package`)."""
    with Package.open(path) as pkg:
        context = _context(pkg, _frame(pkg))
        members = _members(pkg, end_rows)
    with ThreadPoolExecutor(2) as pool:
        skims = pool.map(lambda name: _skim(path, members[name], end_rows[name]), members)
        return dict(zip(members, skims)), context


def _read_known(path: str | Path, frame: dict[str, bytes], dates: frozenset[int], name: str, member: str,
                known: Known) -> tuple[SheetData, Skim]:
    with zipfile.ZipFile(path) as package:
        stream = RowStream(inflated(package, package.getinfo(member)), known.prefix, known.wanted)
        kept = _Mini(frame, member, stream.head, f"{path} [{name}]", dates)
        try:
            picked = _pick(stream, known, kept)
            extract = kept.package(stream.tail) if picked is not None and kept.numbers else None
        finally:
            kept.discard()
    if picked is not None:
        workbook = open_workbook(path, _checked(path, extract)) if extract is not None else None
        mini = read_sheet(path, workbook, name) if workbook is not None else SheetData(name, [], longest_text=0)
        if len(mini.rows) <= len(kept.numbers):  # more: a row calamine placed by a reference not renumbered
            skim = Skim(stream.digests, stream.prefix(), stream.prefix_kept, picked.left_out)
            return _placed(mini, kept.numbers, picked), skim
    check_sheets(path, frozenset({name}))
    return read_sheet(path, open_workbook(path), name), Skim(stream.digests, stream.prefix(), False)


def _checked(path: str | Path, package: io.BytesIO) -> io.BytesIO:
    check_kept(path, package)
    package.seek(0)
    return package


def _skim(path: str | Path, member: str, end_row: int | None) -> Skim:
    with zipfile.ZipFile(path) as package:
        stream = RowStream(inflated(package, package.getinfo(member)), end_row=end_row)
        for _ in stream.batches():
            pass
    return Skim(stream.digests, stream.boundary, False)


class _Mini:
    """The package calamine reads a streamed sheet's kept rows from, written as they are kept: the
    frame's parts and the worksheet with the rows renumbered 1, 2, ... (calamine lays a sheet out
    densely, from its first row to its last). Deflated at level 1: calamine holds a copy of it, and
    it is a tenth of the rows' bytes, made and inflated again in a tenth of a second at 100k tickets."""

    def __init__(self, frame: dict[str, bytes], member: str, head: bytes, where: str, dates: frozenset[int]):
        self.where, self.dates = where, dates  # to check the rows kept under their own numbers
        self.numbers: list[int] = []  # the kept rows' own 1-based numbers
        self._rows: list[bytes] = []  # not written yet
        self._buffer = io.BytesIO()
        self._zip = zipfile.ZipFile(self._buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        for name, data in frame.items():
            self._zip.writestr(name, data)
        self._sheet = self._zip.open(member, "w")
        self._sheet.write(_DIMENSION.sub(b"", head, count=1))  # calamine would make room for every cell

    def keep(self, number: int, piece: bytes) -> None:
        check_dates(self.where, piece, self.dates)  # (the package is checked whole as well: check_kept)
        self.numbers.append(number)
        self._rows.append(_moved(piece, len(self.numbers)))
        if len(self._rows) >= ROWS_A_WRITE:
            self._sheet.write(b"".join(self._rows))
            self._rows = []

    def discard(self) -> None:
        """Close what a read stopped before its package left open (nothing once it is handed over)."""
        if self._buffer is not None:
            self._sheet.close()
            self._zip.close()
            self._buffer = None

    def package(self, tail: bytes) -> io.BytesIO:
        """The package, ending the worksheet with ``tail``; handed over, not kept."""
        self._sheet.write(b"".join(self._rows) + tail)
        self._sheet.close()
        self._zip.close()
        out, self._buffer = self._buffer, None
        out.seek(0)
        return out


@dataclass
class _Picked:
    """The rows of a streamed sheet left out (those to read are kept in a :class:`_Mini`)."""

    left_out: set[int] = field(default_factory=set)  # 0-based rows left out by their digest
    end: int = 0  # one past the last row left out


def _pick(stream: RowStream, known: Known, mini: _Mini) -> _Picked | None:
    """The rows of ``stream`` to read; None when the sheet is to be read whole (it does not begin
    with the known prefix, or it cannot be streamed). Rows in ``known.wanted`` are always read."""
    picked = _Picked() if stream.streamable else None
    wanted = {r + 1 for r in known.wanted}
    for numbers, digests, pieces in stream.batches():
        if picked is None:
            continue  # only the digests are wanted now
        if digests is None:  # the wanted rows of the known prefix
            for number, piece in zip(numbers, pieces):
                mini.keep(number, piece)
        elif known.prefix is not None and not stream.prefix_kept:
            picked = None
        else:
            out = [n for n, d in zip(numbers, digests) if d in known.digests and n not in wanted]
            picked.left_out.update(n - 1 for n in out)
            picked.end = max(picked.end, max(out, default=0))
            for number, digest, piece in zip(numbers, digests, pieces):
                if digest not in known.digests or number in wanted:
                    mini.keep(number, piece)
    if picked is None or not stream.streamable or known.prefix is not None and not stream.prefix_kept:
        return None
    picked.end = max(picked.end, known.prefix.end_row if known.prefix else 0)
    return picked


def _moved(piece: bytes, number: int) -> bytes:
    """A row (its bytes after the tag) moved to row ``number``: its r= and its cells' references."""
    close = piece.find(b">")
    return _ROW + with_number(piece[:close], number) + renumbered(normalised(number, piece[close:]), number)


def _placed(mini: SheetData, numbers: list[int], picked: _Picked) -> SheetData:
    """The rows calamine read back (kept from rows ``numbers``) at their own rows, the rows left out
    empty: one list of None as wide as the rows read (never changed; as wide, a column is read from
    every row in one C call). The sheet ends after the last row left out or holding a value."""
    left_out = [None] * max(map(len, mini.rows), default=0)
    rows = [left_out] * max(picked.end, numbers[len(mini.rows) - 1] if mini.rows else 0)
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


def _context(pkg: Package, frame: dict[str, bytes]) -> bytes:
    """The digest of what gives the sheets' row bytes their values: the styles (a number styled as a
    date reads as a date), the shared strings (a cell holds an index into them), the date system,
    and the worksheet part each sheet is (all of them: the same whichever sheets a caller names)."""
    book, parts = pkg.workbook_part, pkg.sheet_parts()

    def first(kind: str) -> bytes:
        found = [pkg.name(p) for p in pkg.related(book, kind) if pkg.name(p)]
        return frame[found[0]] if found else b""
    fields = [first(STYLES), first(SHARED_STRINGS), b"1904" if pkg.dates_from_1904() else b"1900"]
    fields += [f"{name}\n{part}".encode() for name, part in sorted(parts.items())]
    out = blake2b(digest_size=SUM_SIZE)
    for data in fields:
        out.update(b"%d:" % len(data))
        out.update(data)
    return out.digest()


def _members(pkg: Package, names: Iterable[str]) -> dict[str, str]:
    """Sheet name -> the member holding its worksheet, for each of ``names`` the book has."""
    parts = pkg.sheet_parts()
    return {n: pkg.name(parts[n]) for n in names if n in parts and pkg.name(parts[n])}
