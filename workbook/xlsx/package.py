"""The workbook package: its zip members, the parts track-xls owns, and the package-level XML edits.

The parts a command may change, and why (XlsxWriter's packager.py draws the same tree; the
relationship types below name them, and file_engine's _patch follows this table):

    [Content_Types].xml          owned only to drop calcChain's override
    xl/workbook.xml              owned: calcPr fullCalcOnLoad="1"; defined names follow moved rows
    xl/_rels/workbook.xml.rels   owned only to drop calcChain's relationship
    xl/calcChain.xml             dropped: a stale chain makes Excel "repair" the file; Excel rebuilds it
    xl/styles.xml                owned only when a date lands in a cell no date style covers yet
    xl/worksheets/sheetN.xml     owned for each sheet a change set names
    xl/tables/tableN.xml         owned for those sheets' tables when rows are appended or removed
    xl/commentsN.xml, threaded   owned for those sheets when rows are removed: comments and their
      comments, vmlDrawingN.vml  notes follow their rows (other VML shapes keep their bytes)
    everything else              copied raw: same name, same order, same compressed bytes -- VBA,
                                 drawings, charts, form controls, pivots, images, printer settings

Part names come from the relationships, never from guessing.
"""

from __future__ import annotations

import copy
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from lxml import etree


from ..core.errors import NotAWorkbook, NotWritable
from .deflate import Deflated, crc32, deflate, have_isal, inflate, inflated
from .ranges import SpanFn, map_formula
from .sheet_xml import PARSER, serialize

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = "/officeDocument"
WORKSHEET, TABLE, STYLES, CALC_CHAIN = "/worksheet", "/table", "/styles", "/calcChain"
COMMENTS, THREADED_COMMENTS, VML = "/comments", "/threadedComment", "/vmlDrawing"
SHARED_STRINGS = "/sharedStrings"
CONTENT_TYPES = "[Content_Types].xml"

# Children of <workbook> that come before <calcPr>, in schema order.
_BEFORE_CALC_PR = ("fileVersion", "fileSharing", "workbookPr", "AlternateContent", "workbookProtection",
                   "bookViews", "sheets", "functionGroups", "externalReferences", "definedNames")
# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the CJK ones).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])

# What a number format shows besides its date/time codes: quoted text, escapes, colours and locales
# in brackets (not elapsed-time [h] [mm] [ss]), padding and fill characters.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]|_.|\*.', re.I)

# Mac Excel's date system, on <workbookPr>: it comes before the sheet list
_DATE_1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")
_WORKBOOK_PROLOG = 64 * 2**10

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header, as zipfile spells it
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


PIECE = 1 << 20  # a part is inflated, and a member copied or compared, this many bytes at a time


@dataclass
class Member:
    info: zipfile.ZipInfo
    header: bytes  # the local file header as found, name and extra field included
    # Where its compressed bytes lie in the file, the data descriptor after them included when the
    # writer used one: read from the file when needed (Package.raw), never held.
    start: int
    end: int

    @property
    def name_bytes(self) -> bytes:
        return self.header[_LOCAL.size:_LOCAL.size + _LOCAL.unpack_from(self.header)[-2]]


class Package:
    """A workbook package open for reading: members in their order, parts found by relationships.

    Parts are read from the file as they are needed, a big one in pieces (:meth:`inflated`): a
    tracker of 100k tickets is a 33 MB file whose two big sheets inflate to 150 MB each. Close it
    (or use it in a ``with``) when done: Windows cannot replace a file held open.
    """

    def __init__(self, file: BinaryIO, source: str = ""):
        self.source, self.file = source, file
        try:
            self.zip = zipfile.ZipFile(file)
            self.members = [_member(file, info) for info in self.zip.infolist()]
        except (zipfile.BadZipFile, struct.error, ValueError) as exc:
            raise NotAWorkbook("zip_unreadable", where=source, reason=exc) from exc
        self.comment = self.zip.comment
        self._names = {m.info.filename.lower(): m.info.filename for m in self.members}
        self._by_name = {m.info.filename: m for m in self.members}

    @classmethod
    def open(cls, path: str | Path) -> "Package":
        file = open(path, "rb")
        try:
            return cls(file, str(path))
        except BaseException:
            file.close()
            raise

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def name(self, part: str) -> str | None:
        """The member holding ``part`` (part names are case-insensitive)."""
        return self._names.get(part.lower())

    def read(self, part: str) -> bytes:
        """A part's bytes, inflated whole: a small part (a sheet is read in pieces, :meth:`inflated`)."""
        name, info = self._info(part)
        if not _inflatable(info):
            return self.zip.read(name)
        data = inflate(b"".join(self._compressed(name)))
        _check_inflated(name, info, crc32(data), len(data))
        return data

    def inflated(self, part: str, size: int | None = None) -> Iterator[bytes]:
        """A part's bytes, inflated in pieces of at most ``size`` bytes (PIECE when None); its size
        and CRC checked once the last piece is out."""
        name, info = self._info(part)
        size = size or PIECE
        if not _inflatable(info):
            with self.zip.open(name) as found:  # zipfile checks the CRC as it reads
                while piece := found.read(size):
                    yield piece
            return
        crc = length = 0
        for piece in inflated(self._compressed(name), size):
            crc, length = crc32(piece, crc), length + len(piece)
            yield piece
        _check_inflated(name, info, crc, length)

    def _info(self, part: str) -> tuple[str, zipfile.ZipInfo]:
        name = self.name(part)
        if name is None:
            raise NotAWorkbook("part_missing", where=self.source, part=part)
        return name, self.zip.getinfo(name)

    def _compressed(self, name: str) -> Iterator[bytes]:
        m = self._by_name[name]
        return self._stored(m.start, m.start + m.info.compress_size)

    def raw(self, m: Member) -> Iterator[bytes]:
        """A member's bytes as stored (compressed, with its data descriptor), a piece at a time."""
        return self._stored(m.start, m.end)

    def _stored(self, start: int, end: int) -> Iterator[bytes]:
        for at in range(start, end, PIECE):
            self.file.seek(at)  # (other reads come between two pieces)
            yield self.file.read(min(PIECE, end - at))

    def member(self, part: str) -> Member:
        name = self.name(part)
        return next(m for m in self.members if m.info.filename == name)

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part) of each internal relationship of ``part``."""
        rels_part = rels_part_of(part)
        if self.name(rels_part) is None:
            return []
        return [(rel.get("Id"), rel.get("Type", ""), resolve_target(part, rel.get("Target", "")))
                for rel in xml(self.read(rels_part)).iter(f"{{{REL_NS}}}Relationship")
                if rel.get("TargetMode") != "External"]

    def related(self, part: str, kind: str) -> list[str]:
        """The parts ``part`` relates to with a relationship type ending in ``kind``."""
        return [target for _, type_, target in self.rels(part) if type_.endswith(kind)]

    @property
    def workbook_part(self) -> str:
        found = self.related("", OFFICE_DOCUMENT)
        if not found:
            raise NotAWorkbook("no_workbook_part", where=self.source)
        return found[0]

    def dates_from_1904(self) -> bool:
        """Whether the workbook counts dates from 1904-01-01 (Mac Excel's date system), not 1900."""
        return _DATE_1904.search(self.read(self.workbook_part)[:_WORKBOOK_PROLOG]) is not None

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name -> worksheet part, in tab order (chart sheets left out)."""
        book = self.workbook_part
        targets = {id_: target for id_, type_, target in self.rels(book) if type_.endswith(WORKSHEET)}
        root = xml(self.read(book))
        r_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        return {s.get("name"): targets[s.get(r_id)]
                for s in root.iter(f"{{{_ns(root)}}}sheet") if s.get(r_id) in targets}

    def write(self, out: BinaryIO, replaced: dict[str, "bytes | Deflated"], dropped: set[str]) -> None:
        """The package with ``replaced`` parts rewritten, ``dropped`` ones left out, the rest copied raw."""
        new = {self.name(p): v for p, v in replaced.items()}
        skip = {self.name(p) for p in dropped}
        writer = _ZipWriter(out)
        for m in self.members:
            if m.info.filename in skip:
                continue
            part = new.get(m.info.filename)
            if part is None:
                writer.copy(m, self.raw(m))
            else:
                writer.write(m, part if isinstance(part, Deflated) else deflate([part], 6))
        writer.close(self.comment)


def _member(file: BinaryIO, info: zipfile.ZipInfo) -> Member:
    at = info.header_offset
    file.seek(at)
    header = file.read(_LOCAL.size)
    signature, *_, name_len, extra_len = _LOCAL.unpack(header)
    if signature != b"PK\x03\x04":
        raise ValueError(f"bad local header for {info.filename}")
    header += file.read(name_len + extra_len)
    start = at + _LOCAL.size + name_len + extra_len
    end = start + info.compress_size
    if info.flag_bits & 0x08:  # sizes follow the data in a descriptor, with or without its signature
        file.seek(end)
        end += 16 if file.read(4) == b"PK\x07\x08" else 12
    return Member(info, header, start, end)


def _inflatable(info: zipfile.ZipInfo) -> bool:
    """Whether a member is inflated here (with python-isal) rather than by zipfile: deflated, not encrypted."""
    return info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x1 and have_isal()


def _check_inflated(name: str, info: zipfile.ZipInfo, crc: int, length: int) -> None:
    """BadZipFile unless a member inflated to the size and CRC its entry gives."""
    if length != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")


def same_bytes(a: Iterable[bytes], b: Iterable[bytes]) -> bool:
    """Whether two streams of pieces hold the same bytes, however each is cut."""
    a, b = filter(None, a), filter(None, b)  # (an empty piece says nothing)
    x = y = b""
    while True:
        x, y = x or next(a, b""), y or next(b, b"")
        if not x or not y:
            return not x and not y
        n = min(len(x), len(y))
        if x[:n] != y[:n]:
            return False
        x, y = x[n:], y[n:]


def rels_part_of(part: str) -> str:
    """Where a part's relationships live: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def resolve_target(source: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _ns(root) -> str:
    return etree.QName(root).namespace


def xml(data: bytes):
    return etree.fromstring(data, PARSER)


class _ZipWriter:
    """Writes members in order: copied ones byte for byte, new ones deflated; then the directory."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.directory: list[bytes] = []

    def copy(self, m: Member, raw: Iterable[bytes]) -> None:
        offset = self.out.tell()
        self.out.write(m.header)
        for piece in raw:
            self.out.write(piece)
        self._entry(m.info, m.name_bytes, m.info.flag_bits, m.info.compress_type, m.info.extract_version,
                    m.info.CRC, m.info.compress_size, m.info.file_size, offset)

    def write(self, m: Member, part: Deflated) -> None:
        offset, name = self.out.tell(), m.name_bytes
        flags = m.info.flag_bits & 0x800  # keep "name is UTF-8"; sizes go in the header, no descriptor
        time, date = _dos(m.info.date_time)
        self.out.write(_LOCAL.pack(b"PK\x03\x04", 20, 0, flags, 8, time, date, part.crc, part.packed,
                                   part.size, len(name), 0) + name)
        for piece in part.pieces:
            self.out.write(piece)
        self._entry(m.info, name, flags, 8, 20, part.crc, part.packed, part.size, offset)

    def _entry(self, info, name, flags, method, version, crc, packed, size, offset) -> None:
        if offset >= 0xFFFFFFFF:
            raise NotWritable("book_over_4gb")
        time, date = _dos(info.date_time)
        extra = _without_zip64(info.extra)
        self.directory.append(_CENTRAL.pack(
            b"PK\x01\x02", info.create_version, info.create_system, version, 0, flags, method, time, date,
            crc, packed, size, len(name), len(extra), len(info.comment), 0, info.internal_attr,
            info.external_attr, offset) + name + extra + info.comment)

    def close(self, comment: bytes) -> None:
        start = self.out.tell()
        for entry in self.directory:
            self.out.write(entry)
        size, count = self.out.tell() - start, len(self.directory)
        self.out.write(_END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, len(comment)) + comment)


def _dos(date_time: tuple) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return h << 11 | mi << 5 | s // 2, max(y - 1980, 0) << 9 | mo << 5 | d


def _without_zip64(extra: bytes) -> bytes:
    """The extra field less any zip64 record: this writer stores 32-bit sizes and offsets."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, i)
        if kind != 0x0001:
            out += extra[i:i + 4 + length]
        i += 4 + length
    return out


# -- package-level XML edits -----------------------------------------------------------------------

def patch_workbook(data: bytes, names: dict[str, list[SpanFn]]) -> bytes | None:
    """workbook.xml set to recalculate fully on open, its defined names following rows that moved.

    ``names`` maps a sheet name to the row span functions its references go through. None when the
    part already says all that.
    """
    root = xml(data)
    ns = _ns(root)
    changed = False
    calc = root.find(f"{{{ns}}}calcPr")
    if calc is None:
        calc = etree.Element(f"{{{ns}}}calcPr")
        before = [el for el in root if etree.QName(el).localname in _BEFORE_CALC_PR]
        if before:
            before[-1].addnext(calc)
        else:
            root.insert(0, calc)
    if calc.get("fullCalcOnLoad") not in ("1", "true"):
        calc.set("fullCalcOnLoad", "1")  # cached results of the user's formulas are stale now
        changed = True
    for name in root.iter(f"{{{ns}}}definedName"):
        if name.get("name") == "_xlnm.Print_Titles":
            continue  # the header rows a printout repeats stay the header rows, however the data grows
        text = name.text or ""
        for sheet, fns in names.items():
            for fn in fns:
                text = map_formula(text, sheet, fn, bare=False)
        if text != (name.text or ""):
            name.text = text
            changed = True
    return serialize(root, data) if changed else None


def drop_calc_chain(pkg: Package) -> tuple[dict[str, bytes], set[str]]:
    """(replaced, dropped) parts that remove calcChain with its relationship and content type."""
    book = pkg.workbook_part
    chains = pkg.related(book, CALC_CHAIN)
    if not chains:
        return {}, set()
    rels_part = rels_part_of(book)
    rels_data, types_data = pkg.read(rels_part), pkg.read(CONTENT_TYPES)
    rels = xml(rels_data)
    for rel in list(rels):
        if rel.get("Type", "").endswith(CALC_CHAIN):
            rels.remove(rel)
    types = xml(types_data)
    for override in list(types.iter(f"{{{CT_NS}}}Override")):
        if override.get("PartName", "").lstrip("/").lower() in (c.lower() for c in chains):
            types.remove(override)
    dropped = {c for c in chains if pkg.name(c)}
    return {rels_part: serialize(rels, rels_data), CONTENT_TYPES: serialize(types, types_data)}, dropped


class DateStyles:
    """Cell styles that show dates. A date written into a cell whose style shows a number gets a copy
    of that style with a date format, added to styles.xml once per style."""

    def __init__(self, data: bytes):
        self.data = data
        self.root = xml(data)
        ns = _ns(self.root)
        self.xfs = self.root.find(f"{{{ns}}}cellXfs")
        self.custom = {int(f.get("numFmtId")): f.get("formatCode", "")
                       for f in self.root.iter(f"{{{ns}}}numFmt")}
        self.added: dict[tuple[int, bool], int] = {}
        self._shows: dict[int, bool] = {}

    def shows_date(self, style: int) -> bool:
        if style not in self._shows:
            fmt = int(self.xfs[style].get("numFmtId", "0")) if self.xfs is not None and style < len(self.xfs) else 0
            self._shows[style] = fmt in _DATE_FORMAT_IDS or is_date_format(self.custom.get(fmt, ""))
        return self._shows[style]

    def __call__(self, style: int, with_time: bool) -> int:
        if self.xfs is None or self.shows_date(style):
            return style
        key = (style, with_time)
        if key not in self.added:
            new = copy.deepcopy(self.xfs[style if style < len(self.xfs) else 0])
            new.set("numFmtId", "22" if with_time else "14")  # built-in m/d/yyyy h:mm and m/d/yyyy, localised by Excel
            new.set("applyNumberFormat", "1")
            self.xfs.append(new)
            self.xfs.set("count", str(len(self.xfs)))
            self.added[key] = len(self.xfs) - 1
        return self.added[key]

    def to_bytes(self) -> bytes | None:
        return serialize(self.root, self.data) if self.added else None


def is_date_format(code: str) -> bool:
    """Whether a custom number format shows a date or time: d, m, y, h or s in its first section."""
    return re.search("[dmyhs]", _FORMAT_NOISE.sub("", code.split(";")[0]), re.I) is not None
