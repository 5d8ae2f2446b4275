"""Rows a reader may leave out, known by the digest of their bytes: the protocol between a refresh
that remembers what it judged (:mod:`workbook.core.settled`) and an engine that streams a sheet.

A row's digest (blake2b, 8 bytes, read as a little-endian int) is taken over its ``<row …>…</row>``
element exactly as stored (with any whitespace up to the next row), its ``r`` number included, so a
row that moved is a new row. What gives those bytes their values (styles, shared
strings, the date system) is summed up by the engine as the book's ``context``: when it differs, no
digest taken before means anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Prefix:
    """A sheet's first rows as bytes: the first ``size`` bytes of its ``<sheetData>`` body, which
    hash to ``digest`` (blake2b, 16 bytes) and hold the rows before 0-based row ``end_row``."""

    size: int
    digest: bytes
    end_row: int


@dataclass(frozen=True)
class Known:
    """What a caller already knows of one sheet: the rows it needs no values of."""

    digests: frozenset[int] = frozenset()  # rows whose bytes hash to one of these
    prefix: Prefix | None = None  # the rows of this prefix, when the sheet still begins with its bytes,
    wanted: frozenset[int] = frozenset()  # except these 0-based rows, read all the same (as they are
    # when their digest is known)


@dataclass
class Skim:
    """What an engine saw of a sheet read with :class:`Known` (or only skimmed for its digests)."""

    # 0-based row -> the digest of its bytes; None: the sheet has no such row, or it is a row of the
    # known prefix (not digested: its bytes are hashed whole)
    digests: list[int | None]
    prefix: Prefix  # the whole <sheetData> body as read (skimmed: its rows up to the end asked for)
    prefix_kept: bool  # the known prefix was found, and its rows (but the wanted ones) left out
    left_out: set[int] = field(default_factory=set)  # rows known by their digest, left out (not
    # listed: the rows of a known prefix)
