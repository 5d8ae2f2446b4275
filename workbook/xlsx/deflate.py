"""Deflate and inflate for the package's parts: python-isal (ISA-L) where it is installed, zlib
otherwise (the same format, slower). A part streamed in chunks is compressed on a second thread, and
inflated again there as it goes, so what is written is known to read back whole."""

from __future__ import annotations

import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Iterator

try:
    from isal import isal_zlib
except ImportError:  # a platform without a wheel: zlib makes the same format, slower
    isal_zlib = None

from ..core.errors import NotWritable

BATCH = 1 << 20  # deflate streamed parts in ~1 MB pieces
IN_FLIGHT = 2  # batches waiting for the compressing thread at most: the rows are made no faster than compressed


def have_isal() -> bool:
    return isal_zlib is not None


@dataclass
class Deflated:
    """A part's new content, already compressed: big sheets are deflated while they are generated."""

    pieces: list[bytes]  # the compressed bytes as made, never joined: a big sheet's are 18 MB
    crc: int  # of the bytes compressed
    size: int
    inflated_crc: int | None  # of the bytes ``pieces`` inflate back to; None when they do not inflate whole

    @property
    def packed(self) -> int:
        return sum(map(len, self.pieces))


def deflate(chunks: Iterable[bytes], level: int) -> Deflated:
    """Compress a part streamed in chunks. The big sheets use level 1, with python-isal (ISA-L) where
    it is installed: 4x faster than zlib's level 1, itself 4x faster than level 6 (PERF-NOTES); ISA-L's
    level 1 packs a sheet smaller than zlib's. Small parts keep zlib's level 6."""
    packer = _RoundTrip((isal_zlib if isal_zlib and level <= 3 else zlib).compressobj(level, zlib.DEFLATED, -15))
    size = 0
    # zlib lets go of the GIL: one thread compresses a batch (and inflates it again) while this one makes the next
    with ThreadPoolExecutor(1) as pool:
        compressed = []
        for batch in _batches(chunks):
            size += len(batch)
            if len(compressed) >= IN_FLIGHT:  # (else a steady refresh's copied rows would pile up here)
                compressed[-IN_FLIGHT].result()
            compressed.append(pool.submit(packer.compress, batch))
        compressed.append(pool.submit(packer.flush))
        part = Deflated([f.result() for f in compressed], packer.crc, size, packer.inflated_crc)
    if size >= 0xFFFFFFFF or part.packed >= 0xFFFFFFFF:
        raise NotWritable("part_over_4gb")
    return part


class _RoundTrip:
    """A compressor that inflates each piece it makes again, a megabyte at a time, keeping the
    checksums of the bytes given and of the bytes inflated: a part is found to inflate whole to what
    was compressed on the compressing thread, while the rows are still being made."""

    def __init__(self, packer):
        self.packer, self.unpacker = packer, inflater()
        self.crc = self._inflated = 0
        self._broken = False

    def compress(self, batch: bytes) -> bytes:
        self.crc = crc32(batch, self.crc)
        piece = self.packer.compress(batch)
        self._inflate(piece)
        return piece

    def flush(self) -> bytes:
        piece = self.packer.flush()
        self._inflate(piece, last=True)
        return piece

    @property
    def inflated_crc(self) -> int | None:
        whole = self.unpacker.eof and not self.unpacker.unused_data and not self._broken
        return self._inflated if whole else None

    def _inflate(self, piece: bytes, last: bool = False) -> None:
        unpacker = self.unpacker
        try:
            while piece:
                self._inflated = crc32(unpacker.decompress(piece, BATCH), self._inflated)
                piece = unpacker.unconsumed_tail
            if last:  # what the inflater still holds
                self._inflated = crc32(unpacker.flush(), self._inflated)
        except INFLATE_ERRORS:
            self._broken = True


def inflate(data: bytes) -> bytes:
    """Raw deflate data inflated, with python-isal where installed (2.5x zlib's speed)."""
    return (isal_zlib or zlib).decompress(data, -15)


def inflated(raw: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Raw deflate data given in pieces, inflated in pieces of at most ``size`` bytes; EOFError when
    the data ends before the stream does."""
    unpacker = inflater()
    for piece in raw:
        while True:
            out = unpacker.decompress(piece, size)
            piece = unpacker.unconsumed_tail
            if out:
                yield out
            # A full piece may leave more inflated inside, all input taken: isal takes in more than it gives out.
            if not piece and len(out) < size:
                break
    if not unpacker.eof:
        raise EOFError("the deflate stream ends early")


def inflater():
    """A decompressor of raw deflate data streamed in pieces, as :func:`inflate`."""
    return (isal_zlib or zlib).decompressobj(-15)


INFLATE_ERRORS = (zlib.error,) + ((isal_zlib.error,) if isal_zlib else ())


def crc32(data: bytes, value: int = 0) -> int:
    """The CRC-32 of ``data``, continuing ``value`` (that of the bytes before)."""
    return (isal_zlib or zlib).crc32(data, value)


def _batches(chunks: Iterable[bytes]) -> Iterable[bytes]:
    pending, size = [], 0
    for chunk in chunks:
        if len(chunk) >= BATCH:  # a long stretch of rows kept as they were: passed on, never copied
            if pending:
                yield b"".join(pending)
                pending, size = [], 0
            yield chunk
            continue
        pending.append(chunk)
        size += len(chunk)
        if size >= BATCH:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)
