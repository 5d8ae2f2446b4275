"""Look at a file before any reader opens it: is it a safe, ordinary Excel package?

Readers (calamine, zipfile, lxml) trust what a package declares. A file a support team has lying
around may be encrypted, an old .xls or an .ods under a .xlsx name, truncated by a failed copy, or
built to hurt: a member that inflates to gigabytes, XML entities that expand a billion times, a
stray cell on row 1,048,576 that makes a reader allocate the whole sheet, a date cell holding a
number so far below any date that calamine panics. Each of these becomes one :class:`FileProblem`
naming the file (and the sheet or cell), before anything is read or written.

The scan inflates each XML part once, in chunks, never holding a whole part in memory. It trusts
declared sizes only as a first filter: zipfile stops at the declared size and checks the CRC, so a
member that lies about its size fails here as corrupt.
"""

from __future__ import annotations

import re
import struct
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Callable, Iterator
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

try:
    from isal import isal_zlib
except ImportError:  # a platform without a wheel: zipfile's zlib reads the same bytes, slower
    isal_zlib = None

from ..core.cells import col_index, col_letter
from ..core.errors import FileProblem, NotAWorkbook
from .deflate import inflated as inflated_pieces

CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, or an encrypted .xlsx
# Excel wraps a password-protected .xlsx in a compound file holding this stream (UTF-16 name).
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
SPREADSHEET_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)

MAX_MEMBER_BYTES = 500 * 2**20
# A part that inflates more than 100-fold and past 50 MB is a bomb: real sheet XML compresses
# 5-15 fold, and an honest 50 MB part is already far beyond a tracker.
BOMB_RATIO, BOMB_MIN_BYTES = 100, 50 * 2**20
# A DOCTYPE must come before the root element; Excel never writes one. Any prolog longer than
# this is itself suspicious.
MAX_PROLOG = 64 * 2**10
# Readers lay a sheet out densely, from A1 to its last row and widest column: a stray cell on row
# 1,048,576 or in column XFD costs gigabytes (calamine and Python together ~45 bytes a cell).
# A stray cell on the last row is refused; a long Log (about five rows per ticket, 100k tickets
# make ~480k rows) is not. MAX_CELLS bounds the memory either way.
MAX_ROWS = 1_000_000
MAX_CELLS = 20_000_000
# calamine turns a date-formatted number into a date in milliseconds, overflowing below about
# -1.07e11 days; no tracker holds such a number, so refuse it and name its cell.
MIN_NUMBER = -1e11
CHUNK = 2**20
TAIL = 256  # bytes of a chunk read again with the next: a tag cut in two by the boundary is whole there
XML_SUFFIXES = (".xml", ".rels", ".vml")
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_LAST_CELL = re.compile(rb'<c r="[A-Z]+(\d+)"')
_CELL_COLUMN = re.compile(rb'<c(?: r="([A-Z]{1,3})\d|[\s/>])')  # b"" for a cell that does not start with r=
_REF = re.compile(r"([A-Za-z]+)(\d+)")
_ROOT = re.compile(rb"<[A-Za-z_]")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip member's local header, as zipfile spells it
_CELL = re.compile(rb'<c\b(?=[^>]*?\br="([A-Z]+\d+)")(?:(?=[^>]*?\bs="(\d+)"))?')
# Excel's built-in number formats that are dates or times (ECMA-376 18.8.30, with the CJK ones).
BUILTIN_DATE_FORMATS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')  # quoted text, [colours]/[$-804], escaped characters
_DATE_CODE = re.compile(r"[ymdhs]", re.IGNORECASE)


def sniff(path: str | Path) -> str:
    """What a file is by its content, not its name.

    One of: "xlsx" (an OOXML spreadsheet, .xlsx or .xlsm), "strict" (one saved as Strict Open XML),
    "xls", "encrypted", "ods", "zip" (another kind of zip package), "text", "empty", "unknown". Raises FileProblem when it cannot be read.
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise FileProblem("unreadable", where=path, reason=exc.strerror or exc) from exc
    if not head:
        return "empty"
    if head.startswith(CFB_SIGNATURE):
        return "encrypted" if _holds(path, ENCRYPTED_STREAM) else "xls"
    if head.startswith(b"PK"):
        return _zip_kind(path)
    return "text" if _looks_like_text(head) else "unknown"


def check_kind(path: str | Path, kinds: tuple[str, ...] = ("xlsx",)) -> str:
    """``path``'s kind (see :func:`sniff`) when it is one of ``kinds``; else FileProblem. Cheap: the
    members are not inflated (writers call this; readers call :func:`check_package`)."""
    path = Path(path)
    if not path.exists():
        raise FileProblem("no_file", where=path)
    if path.is_dir():
        raise NotAWorkbook("is_directory", where=path)
    kind = sniff(path)
    if kind not in kinds:
        raise NotAWorkbook("kind_" + kind, where=path)
    return kind


def check_package(path: str | Path, kinds: tuple[str, ...] = ("xlsx",), streamed: frozenset[str] = frozenset()) -> str:
    """``path``'s kind (see :func:`sniff`) when it is one of ``kinds`` and safe to read; else FileProblem.

    The default accepts .xlsx/.xlsm packages only; import also takes "xls", "ods" and "text".
    ``streamed``: sheets a partial read streams itself (workbook.xlsx.partial_read): only their size
    is checked here; the rows it keeps are checked as it keeps them (:func:`check_dates`,
    :func:`check_kept`), or the sheets whole when it reads them whole after all (:func:`check_sheets`).
    """
    kind = check_kind(path, kinds)
    if kind in ("xlsx", "ods"):
        _check_members(Path(path), lambda sheet: sheet not in streamed)
    return kind


def check_sheets(path: str | Path, names: frozenset[str]) -> None:
    """The rows of the sheets ``names``, checked as :func:`check_package` checks a workbook's."""
    _check_members(Path(path), lambda sheet: sheet in names)


def check_kept(path: str | Path, package: BinaryIO) -> None:
    """The rows a partial read of ``path`` kept, in the package calamine reads them from (renumbered
    1, 2, ...), checked as :func:`check_package` checks a workbook's."""
    _check_members(Path(path), lambda sheet: True, package)


def _check_members(path: Path, scanned: Callable[[str | None], bool], source: BinaryIO | None = None) -> None:
    try:
        with zipfile.ZipFile(source or path) as package:
            sheets, dates = _sheet_names(package), date_styles(package)
            for info in package.infolist():
                sheet = sheets.get(info.filename)
                _check_member(path, package, info, sheet, dates, scanned(sheet))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise NotAWorkbook("corrupt", where=path, reason=exc) from exc


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            if "mimetype" in names and package.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
            if "[Content_Types].xml" not in names:
                return "zip"
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > MAX_PROLOG * 16:
                return "zip"
            types = fromstring(package.read(info))
            declared = {node.get("ContentType"): node.get("PartName", "") for node in types}
            main = next((part for kind, part in declared.items() if kind in SPREADSHEET_TYPES), None)
            if main is not None and _is_strict(package, main.lstrip("/")):
                return "strict"
    except DefusedXmlException:
        return "zip"  # a DTD in the content types is not something Excel wrote
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise NotAWorkbook("corrupt", where=path, reason=exc) from exc
    except SyntaxError:  # ElementTree's ParseError
        return "zip"
    return "xlsx" if main is not None else "zip"


def _is_strict(package: zipfile.ZipFile, part: str) -> bool:
    """Whether the workbook part is in Strict Open XML (Excel's "Strict Open XML Spreadsheet"): its
    namespaces differ from the transitional ones every reader here understands."""
    try:
        with package.open(part) as f:
            return STRICT_NAMESPACE in f.read(MAX_PROLOG)
    except KeyError:
        return False


def sheet_names(path: str | Path) -> list[str]:
    """The names of the sheets of the package at ``path``; [] when it cannot be read."""
    try:
        with zipfile.ZipFile(path) as package:
            return list(_sheet_names(package).values())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        return []


def _sheet_names(package: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, so a message names the sheet the user sees.

    Read from workbook.xml and its relationships, both small; a package too broken to say gives {}
    and messages fall back to the part name.
    """
    try:
        book = fromstring(package.read("xl/workbook.xml"))
        rels = fromstring(package.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, DefusedXmlException, SyntaxError, zipfile.BadZipFile, OSError, ValueError):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    out = {}
    for node in book.iter():
        if node.tag.endswith("}sheet"):
            rid = next((v for k, v in node.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            out[part] = node.get("name", "")
    return out


def date_styles(package: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell formats (a cell's s="...") that show a number as a date or time."""
    try:
        root = fromstring(package.read("xl/styles.xml"))
    except (KeyError, DefusedXmlException, SyntaxError, zipfile.BadZipFile, OSError, ValueError):
        return frozenset()  # no styles, no dates; a hostile styles part is refused by the scan
    custom = {int(n.get("numFmtId", -1)): n.get("formatCode", "") for n in root.iter() if n.tag.endswith("}numFmt")}
    xfs = next((n for n in root.iter() if n.tag.endswith("}cellXfs")), [])
    out = set()
    for index, xf in enumerate(xfs):
        number_format = int(xf.get("numFmtId", 0))
        if number_format in BUILTIN_DATE_FORMATS or _DATE_CODE.search(_LITERALS.sub("", custom.get(number_format, ""))):
            out.add(index)
    return frozenset(out)


def _check_member(path: Path, package: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str | None,
                  dates: frozenset[int], scan: bool) -> None:
    where = f"{path} [{sheet or info.filename}]"
    if info.file_size > MAX_MEMBER_BYTES:
        raise FileProblem("too_big", where=where, size=_mb(info.file_size), limit=_mb(MAX_MEMBER_BYTES))
    if info.file_size > BOMB_MIN_BYTES and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
        raise FileProblem("zip_bomb", where=where, size=_mb(info.file_size), packed=_mb(info.compress_size))
    if scan and info.filename.lower().endswith(XML_SUFFIXES):
        _scan_xml(where, package, info, dates)


def _scan_xml(where: str, package: zipfile.ZipFile, info: zipfile.ZipInfo, dates: frozenset[int]) -> None:
    """Refuse a DTD in the prolog and, in a worksheet, a last row beyond MAX_ROWS or an impossible date.

    The rows and columns are read off the r= of the last row and the widest cells; a sheet with a cell
    that leaves r= out (or does not start with it) is laid out again as calamine numbers its cells.
    """
    worksheet = info.filename.startswith("xl/worksheets/")
    prolog, tail, last_row, widest = b"", b"", 0, "A"
    for chunk in inflated(package, info):
        if prolog is not None:
            prolog = _prolog(where, prolog + chunk)
        if worksheet:
            window = tail + chunk
            last_row = _last_row(window) or last_row
            if widest is not None:
                widest = _widest(window, widest)
            check_dates(where, window, dates)
            tail = chunk[-TAIL:]
    if worksheet and widest is None:
        last_row, widest = _counted(where, inflated(package, info))
    if last_row > MAX_ROWS:
        raise FileProblem("too_many_rows", where=where, row=last_row, limit=MAX_ROWS)
    if last_row * _width(widest) > MAX_CELLS:
        raise FileProblem("too_wide", where=where, column=widest, row=last_row)


def inflated(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in chunks of at most CHUNK, its size and CRC checked as zipfile checks them.
    A deflated member is inflated with python-isal where it is installed (2-3x zlib's speed)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1 or isal_zlib is None or not package.filename:
        with package.open(info) as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
        return
    with open(package.filename, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(_LOCAL_HEADER.size)
        if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len, extra_len = _LOCAL_HEADER.unpack(header)[-2:]
        f.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        crc = size = 0
        for chunk in inflated_pieces(_packed(f, info), CHUNK):
            crc, size = isal_zlib.crc32(chunk, crc), size + len(chunk)
            if size > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename} inflates past its declared size")
            yield chunk
    if size != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def _packed(f, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's compressed bytes, from where they start in ``f``, in chunks of at most CHUNK."""
    left = info.compress_size
    while left:
        chunk = f.read(min(left, CHUNK))
        if not chunk:
            raise EOFError(f"{info.filename} is cut short")
        left -= len(chunk)
        yield chunk


def _width(letters: str) -> int:
    """Columns from A to ``letters``: A -> 1, XFD -> 16384."""
    return col_index(letters) + 1


def _last_row(data: bytes) -> int | None:
    """The row of the last <row r="..."> or, when further down, of the last <c r="...">, searched
    from the end (rows are in order): a row may leave out its r= and its cells keep theirs."""
    pos = data.rfind(b'<c r="')
    cell = _LAST_CELL.match(data, pos) if pos >= 0 else None
    return max(filter(None, (_last_numbered_row(data), cell and int(cell.group(1)))), default=None)


def _last_numbered_row(data: bytes) -> int | None:
    pos = data.rfind(b"row ")
    while pos > 0:
        if data[pos - 1] in b"<:":  # <row or <x:row, not "arrow " in some text
            m = _ROW.match(data, data.rfind(b"<", 0, pos))
            if m:
                return int(m.group(1))
        pos = data.rfind(b"row ", 0, pos)
    return None


def _widest(data: bytes, widest: str) -> str | None:
    """The widest of ``widest`` and the columns of the cells in ``data``; None when a cell leaves out
    its r= or does not start with it (:func:`_counted` then lays the sheet out)."""
    end = data.rfind(b">") + 1  # a tag cut by the chunk boundary is read whole in the next window,
    if data.rfind(b"<", end) < len(data) - TAIL:  # unless it is too long for the tail carried over
        end = len(data)
    pos = 0
    while found := _past(widest).search(data, pos, end):
        # The rest of its row (the header row sets the usual sheet's width), then of the chunk: a
        # sheet that widens on every row costs two passes a chunk, not one for each row.
        row_end = data.find(b"</row>", found.start(), end)
        pos = end if pos or row_end < 0 else row_end
        columns = set(_CELL_COLUMN.findall(data, found.start(), pos))  # a set first: few distinct columns
        if b"" in columns:
            return None
        widest = max([widest, *(c.decode() for c in columns)], key=_width)
    return widest


@lru_cache(maxsize=64)
def _past(widest: str) -> re.Pattern[bytes]:
    """Finds a cell that does not start with r=, or whose column is past ``widest``."""
    same_length = [widest[:i] + f"[A-{chr(ord(letter) - 1)}]" + "[A-Z]" * (len(widest) - i - 1)
                   for i, letter in enumerate(widest) if letter > "A"]
    shorter = [f"[A-Z]{{1,{len(widest) - 1}}}"] if len(widest) > 1 else []
    up_to = "|".join([*shorter, *same_length, widest])
    return re.compile(rf'<c(?! r="(?:{up_to})\d)[\s/>]'.encode())


def _counted(where: str, chunks: Iterator[bytes]) -> tuple[int, str]:
    """The last row and widest column of a sheet as calamine lays out its cells: a cell without r=
    goes right of the one before it, a row without r= below the one before it. A second pass with a
    real parser, for the rare sheet that leaves r= out; an XML error refuses the sheet."""
    layout = _Layout()
    parser = expat.ParserCreate()
    parser.StartElementHandler, parser.EndElementHandler = layout.start, layout.end
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise NotAWorkbook("corrupt", where=where, reason=exc) from exc
    return layout.last_row, col_letter(max(layout.widest, 1) - 1)


class _Layout:
    """The position calamine gives each cell (1-based), and the furthest row and column reached."""

    def __init__(self) -> None:
        self.row, self.column, self.last_row, self.widest = 1, 0, 0, 0

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag, r = name.rpartition(":")[2], attributes.get("r", "")
        if tag == "row":
            self.row = int(r) if r.isdecimal() else self.row
            self.last_row = max(self.last_row, self.row)
        elif tag == "c":
            ref = _REF.fullmatch(r)
            self.column = col_index(ref.group(1)) + 1 if ref else self.column + 1
            self.last_row = max(self.last_row, int(ref.group(2)) if ref else self.row)
            self.widest = max(self.widest, self.column)

    def end(self, name: str) -> None:
        if name.rpartition(":")[2] == "row":
            self.row, self.column = self.row + 1, 0


def check_dates(where: str, data: bytes, dates: frozenset[int]) -> None:
    """Refuse a date-formatted number far below any date: calamine panics (a Rust abort) on one."""
    pos = data.find(b"<v>-")  # rare: a scan for the minus sign costs nothing on an ordinary sheet
    while pos >= 0:
        end = data.find(b"</v>", pos)
        try:
            number = float(data[pos + 3:end]) if end > 0 else 0.0
        except ValueError:
            number = 0.0
        cell = _CELL.search(data, data.rfind(b"<c ", 0, pos)) if number < MIN_NUMBER else None
        if cell and cell.group(2) and int(cell.group(2)) in dates:
            raise FileProblem("huge_negative", where=where, cell=cell.group(1).decode(), value=f'{number:g}')
        pos = data.find(b"<v>-", pos + 4)


def _prolog(where: str, text: bytes) -> bytes | None:
    """The prolog read so far, or None once the root element has started."""
    root = _ROOT.search(text)
    head = text if root is None else text[:root.start()]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise FileProblem("doctype", where=where)
    if root is None and len(text) > MAX_PROLOG:
        raise FileProblem("doctype", where=where)
    return None if root else text


def _holds(path: Path, needle: bytes) -> bool:
    """Whether the file contains ``needle`` anywhere (read in chunks)."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


def _looks_like_text(head: bytes) -> bool:
    if head.startswith(UTF16_BOMS):
        return True  # Excel's "Unicode Text" export
    if b"\0" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut at the end of the sample
                return True
    return False


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size / 2**10:.0f} KB"
