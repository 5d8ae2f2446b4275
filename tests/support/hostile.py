"""A corpus of hostile and odd inputs, each built in a test's tmp folder in milliseconds.

Broken files (``BROKEN``) must give one clear error naming the file, sheet or cell and leave the
file's bytes alone. Odd but legitimate trackers (the builders below BROKEN) must give the right
result. Everything starts from the real template, written through the file engine, then is bent
at the zip or XML level the way other programs, crashes and attackers bend files.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import xlsxwriter

from tests.support.books import typed_tracker
from workbook.core import schema

NOW = "2024-05-21 10:00"
TICKET = {"reported_at": datetime(2024, 5, 20, 14, 30), "reporter": "张伟", "module": "销售模块V3.2",
          "description": "无法下单", "priority": "P1", "status": "新建"}
HEADERS = {c.key: c.label.zh for c in schema.TICKET_COLUMNS}
COLUMN = {c.key: i for i, c in enumerate(schema.TICKET_COLUMNS)}
SHEET1 = "xl/worksheets/sheet1.xml"  # the template's 工单 sheet


# -- building blocks -----------------------------------------------------------------------------------

def tracker(folder: Path, records: list[dict] = (TICKET,), lang: str = "zh", name: str = "tracker.xlsx") -> Path:
    """A template tracker with ``records`` (schema key -> value) typed under the header."""
    return typed_tracker(folder / name, list(records), lang)


def rewrite(path: Path, member: str, change: Callable[[bytes], bytes], out: Path | None = None) -> Path:
    """Copy the package with one member's bytes changed (in place unless ``out``)."""
    out = out or path
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, change(data) if info.filename == member else data)
    return out


def write_raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip written by hand from (name, raw deflate stream, crc, declared size): sizes can lie."""
    body, central = bytearray(), bytearray()
    for name, raw, crc, size in members:
        encoded, offset = name.encode(), len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(raw), size,
                            len(encoded), 0) + encoded + raw
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, crc, len(raw), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + end))
    return path


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def cell_xml(data: bytes, ref: str, inner: bytes, kind: str | None = None) -> bytes:
    """Sheet XML with cell ``ref``'s content replaced by ``inner`` (its style kept, its type ``kind``)."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*?)(/>|>.*?</c>)', re.DOTALL)
    m = pattern.search(data)
    assert m, ref
    attrs = re.sub(rb'\s+t="[^"]*"', b"", m.group(1)) + (f' t="{kind}"'.encode() if kind else b"")
    return data[:m.start()] + b'<c r="' + ref.encode() + b'"' + attrs + b">" + inner + b"</c>" + data[m.end():]


def without_declaration(data: bytes) -> bytes:
    return data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data


def before_first(data: bytes, tags: tuple[bytes, ...], snippet: bytes) -> bytes:
    """Insert ``snippet`` before the first of ``tags`` present: keeps the schema order of a worksheet."""
    at = min(i for i in (data.find(t) for t in tags) if i >= 0)
    return data[:at] + snippet + data[at:]


# -- broken files: each must be refused with a clear message ----------------------------------------

def corrupt_zip(folder: Path) -> Path:
    good = tracker(folder).read_bytes()
    path = folder / "corrupt.xlsx"
    path.write_bytes(good[:4] + bytes(b ^ 0x5A for b in good[4:2000]) + good[2000:])
    return path


def truncated(folder: Path) -> Path:
    good = tracker(folder).read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(good[: len(good) // 2])
    return path


def empty(folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


def encrypted(folder: Path) -> Path:
    """What Excel writes for an .xlsx with an open password: an OLE compound file with EncryptedPackage."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    names = ("Root Entry", "EncryptionInfo", "EncryptedPackage")
    directory = b"".join(n.encode("utf-16-le").ljust(64, b"\0") + struct.pack("<H", 2 * len(n) + 2).ljust(64, b"\0")
                         for n in names)
    path = folder / "encrypted.xlsx"
    path.write_bytes(header.ljust(512, b"\0") + directory.ljust(512, b"\0") + bytes(1024))
    return path


def xls_renamed(folder: Path) -> Path:
    """An Excel 97-2003 compound file under an .xlsx name (no EncryptedPackage stream)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9)
    directory = b"".join(n.encode("utf-16-le").ljust(128, b"\0") for n in ("Root Entry", "Workbook"))
    path = folder / "old.xlsx"
    path.write_bytes(header.ljust(512, b"\0") + directory.ljust(512, b"\0"))
    return path


def ods_renamed(folder: Path) -> Path:
    """A minimal OpenDocument spreadsheet (its mimetype member first, stored) under an .xlsx name."""
    path = folder / "calc.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return path


def csv_renamed(folder: Path) -> Path:
    path = folder / "export.xlsx"
    path.write_text("工单编号,报修时间,优先级\n20240520-001,2024-05-20 14:30,P1\n", encoding="utf-8-sig")
    return path


def word_document(folder: Path) -> Path:
    path = folder / "notes.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", "<w:document xmlns:w='x'/>")
    return path


def zip_bomb(folder: Path, lie: bool = False) -> Path:
    """The 工单 sheet padded with 200 MB of spaces, deflated to ~200 KB; ``lie``: declared as small."""
    source = tracker(folder)
    with zipfile.ZipFile(source) as z:
        members = [(info.filename, z.read(info)) for info in z.infolist()]
    out = []
    for name, data in members:
        if name != SHEET1:
            out.append((name, _deflate(data), zlib.crc32(data), len(data)))
            continue
        head, tail = data.split(b"</sheetData>")
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
        # After a full flush the packer starts afresh, so every 1 MB of spaces packs to the same bytes.
        block = packer.compress(b" " * 2**20) + packer.flush(zlib.Z_FULL_FLUSH)
        last = packer.compress(b"</sheetData>" + tail) + packer.flush()
        crc = zlib.crc32(head)
        for _ in range(200):
            crc = zlib.crc32(b" " * 2**20, crc)
        crc = zlib.crc32(b"</sheetData>" + tail, crc)
        size = len(head) + 200 * 2**20 + len(b"</sheetData>" + tail)
        out.append((name, first + block * 200 + last, crc, len(data) if lie else size))
    return write_raw_zip(folder / ("bomb-liar.xlsx" if lie else "bomb.xlsx"), out)


def lying_bomb(folder: Path) -> Path:
    return zip_bomb(folder, lie=True)


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10)) + b"]>")


def billion_laughs(folder: Path) -> Path:
    """Entity expansion in the shared strings of a workbook XlsxWriter made (it writes sharedStrings.xml)."""
    path = folder / "laughs.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("工单")
    for c, column in enumerate(schema.TICKET_COLUMNS):
        sheet.write(0, c, column.label.zh)
    sheet.write_row(1, 1, ["2024-05-20 14:30", "张伟", None, None, None, "m", None, "LAUGH", None, "P1", "新建"])
    book.close()
    return rewrite(path, "xl/sharedStrings.xml",
                   lambda data: LAUGHS + without_declaration(data).replace(b"LAUGH", b"&lol9;"))


def external_entity(folder: Path) -> Path:
    """XXE: the sheet asks the parser to read /etc/passwd into a cell."""
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return rewrite(tracker(folder), SHEET1, lambda data: doctype + cell_xml(
        without_declaration(data), "I2", b"<is><t>&xxe;</t></is>", "inlineStr"))


def far_row(folder: Path) -> Path:
    """One stray cell on row 1,048,576: readers would lay out a million rows."""
    return with_last_row(folder, b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>')


def far_column(folder: Path) -> Path:
    """A stray cell in column XFD on row 1300: 21 million cells to lay out."""
    return with_last_row(folder, b'<row r="1300"><c r="XFD1300" t="inlineStr"><is><t>x</t></is></c></row>')


def far_row_unnumbered(folder: Path) -> Path:
    """Rows that leave out r= (calamine numbers them in turn) down to a stray cell on row 1,048,576."""
    path = tracker(folder)

    def stray(data: bytes) -> bytes:
        last = int(re.findall(rb'<row r="(\d+)"', data)[-1])
        rows = b"<row/>" * (1_048_575 - last) + b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        return data.replace(b"</sheetData>", rows + b"</sheetData>")
    return rewrite(path, SHEET1, stray)


def far_cell_in_an_unnumbered_row(folder: Path) -> Path:
    """A stray cell on row 1,048,576, in a row that leaves out its r=."""
    return with_last_row(folder, b'<row><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>')


def far_column_unnumbered(folder: Path) -> Path:
    """Cells that leave out r= (calamine numbers them in turn) out to column XFD on row 1300."""
    return with_last_row(folder, b'<row r="1300">' + b"<c/>" * 16383 + b'<c t="inlineStr"><is><t>x</t></is></c></row>')


def with_last_row(folder: Path, row: bytes) -> Path:
    """The tracker with ``row`` added under the Tickets sheet's last one."""
    return rewrite(tracker(folder), SHEET1, lambda data: data.replace(b"</sheetData>", row + b"</sheetData>"))


def old_xls(folder: Path) -> Path:
    """An Excel 97-2003 workbook under its own name."""
    path = folder / "tickets.xls"
    path.write_bytes(xls_renamed(folder).read_bytes())
    return path


def impossible_date(folder: Path) -> Path:
    """报修时间 holding -5e11: a date-formatted number that makes calamine panic."""
    return rewrite(tracker(folder), SHEET1, lambda data: cell_xml(data, "B2", b"<v>-5E+11</v>"))


def no_tickets_sheet(folder: Path) -> Path:
    """An ordinary workbook with no 工单 sheet."""
    path = folder / "other.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Sheet1").write(0, 0, "hello")
    book.close()
    return path


def chart_sheet_named_tickets(folder: Path) -> Path:
    """工单 is a chart sheet: a sheet of that name, with no cells at all."""
    path = folder / "charts.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("data").write_column(0, 0, [1, 2, 3])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=data!$A$1:$A$3"})
    book.add_chartsheet("工单").set_chart(chart)
    book.close()
    return path


def header_too_low(folder: Path) -> Path:
    """The header pushed below row 10, where nobody looks for a header."""
    return _shifted(folder, 11)


def required_header_renamed(folder: Path) -> Path:
    """报修时间 renamed 报修日期: an alias import understands, but a tracker must keep its headers."""
    return rewrite(tracker(folder), SHEET1, lambda data: cell_xml(data, "B1", "<is><t>报修日期</t></is>".encode(),
                                                                  "inlineStr"))


def duplicate_numbers(folder: Path) -> Path:
    return tracker(folder, [TICKET | {"ticket_no": "20240520-001"}, TICKET | {"ticket_no": "20240520-001"}])


def missing(folder: Path) -> Path:
    return folder / "nowhere.xlsx"


def directory(folder: Path) -> Path:
    path = folder / "folder.xlsx"
    path.mkdir()
    return path


BROKEN: dict[str, Callable[[Path], Path]] = {f.__name__: f for f in (
    corrupt_zip, truncated, empty, encrypted, xls_renamed, old_xls, ods_renamed, csv_renamed, word_document,
    zip_bomb, lying_bomb, billion_laughs, external_entity, far_row, far_column, far_row_unnumbered,
    far_cell_in_an_unnumbered_row, far_column_unnumbered, impossible_date, no_tickets_sheet,
    chart_sheet_named_tickets, header_too_low, required_header_renamed, duplicate_numbers, missing, directory)}


# -- odd but legitimate trackers --------------------------------------------------------------------------

def _shifted(folder: Path, rows: int) -> Path:
    """The template's 工单 sheet with ``rows`` title/note rows above the header (XML surgery)."""
    path = tracker(folder)

    def shift(data: bytes) -> bytes:
        data = re.sub(rb'(<(?:row|c) r="[A-Z]*)(\d+)"', lambda m: m.group(1) + str(int(m.group(2)) + rows).encode()
                      + b'"', data)
        title = '<row r="1"><c r="A1" t="inlineStr"><is><t>IT 支持工单 2024</t></is></c></row>'.encode()
        data = data.replace(b"<sheetData>", b"<sheetData>" + title)
        return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:AI1"/>', data)
    return rewrite(path, SHEET1, shift)


def header_moved(folder: Path) -> Path:
    return _shifted(folder, 3)


def columns_reordered(folder: Path) -> Path:
    """A tracker written by another tool: same headers, another order, a user column in between."""
    path = folder / "reordered.xlsx"
    keys = list(reversed([c.key for c in schema.TICKET_COLUMNS]))
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("工单")
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for c, key in enumerate(keys):
        sheet.write(0, c, HEADERS[key])
    sheet.write(0, len(keys), "我的备注")
    for c, key in enumerate(keys):
        value = TICKET.get(key)
        if isinstance(value, datetime):
            sheet.write_datetime(1, c, value, when)
        elif value is not None:
            sheet.write_string(1, c, value)
    sheet.write_string(1, len(keys), "keep me")
    book.close()
    return path


def dimension_claim(folder: Path) -> Path:
    """The sheet's <dimension> claims a million rows; the cells stop at row 2."""
    path = tracker(folder)
    return rewrite(path, SHEET1, lambda data: re.sub(rb'<dimension ref="[^"]*"/>',
                                                      b'<dimension ref="A1:AI1048576"/>', data))


def strange_text(folder: Path) -> Path:
    """Emoji, CJK beyond the BMP, right-to-left text, formula-looking text and a 32,767-character cell."""
    return tracker(folder, [TICKET | {"reporter": "🧑‍💻 王𠀀", "description": "=HYPERLINK(\"x\") 😀 مرحبا " + "长" * 100},
                            TICKET | {"reporter": "+李", "description": "界" * 32767}])


def dates_as_text(folder: Path) -> Path:
    return tracker(folder, [TICKET | {"reported_at": "2024/5/20 14:30"},
                            TICKET | {"reported_at": "2024年5月20日 14:30", "reporter": "李娜"},
                            TICKET | {"reported_at": "45432.6041666667", "reporter": "王芳"}])


def formula_inputs(folder: Path, cached: bool = True) -> Path:
    """报修时间 given by a formula: with the result Excel saves beside it, or without (openpyxl, scripts)."""
    path = tracker(folder)
    inner = b"<f>DATE(2024,5,20)+TIME(14,30,0)</f>" + (b"<v>45432.604166666664</v>" if cached else b"")
    return rewrite(path, SHEET1, lambda data: cell_xml(data, "B2", inner))


def protected_sheet(folder: Path) -> Path:
    path = tracker(folder)
    protection = b'<sheetProtection sheet="1" objects="1" scenarios="1"/>'
    return rewrite(path, SHEET1, lambda data: data.replace(b"</sheetData>", b"</sheetData>" + protection))


def merged_cells(folder: Path) -> Path:
    """问题描述 merged down over two tickets, and two computed columns merged across."""
    path = tracker(folder, [TICKET, TICKET | {"reporter": "李娜", "description": None}])
    merges = b'<mergeCells count="2"><mergeCell ref="I2:I3"/><mergeCell ref="AC2:AD2"/></mergeCells>'
    tags = (b"<phoneticPr", b"<conditionalFormatting", b"<dataValidations", b"<hyperlinks", b"<printOptions",
            b"<pageMargins")
    return rewrite(path, SHEET1, lambda data: before_first(data, tags, merges))
