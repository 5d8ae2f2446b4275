"""Workbooks for the file-engine tests: a tracker full of things users add, built with XlsxWriter.

The tracker sheet 工单 has the schema's headers in row 1 and an Excel table over its rows, plus what
teams keep beside it: a formula column in the table, a Refresh button with a macro name, a text box,
sparklines, a chart, an image, comments, drop-down validation, conditional formats, defined names,
a hidden row and custom formats. ``vba=True`` makes an .xlsm carrying the VBA project of the
Excel-saved fixture macro01.xlsm.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path

import xlsxwriter

from workbook.core import schema
from workbook.xlsx.package import Package

EXCEL_SAVED = Path(__file__).parents[1] / "fixtures" / "excel-saved"  # licence: fixtures/excel-saved/README.md
SAVED_WORKBOOKS = sorted(EXCEL_SAVED.glob("*.xls[xm]"))
assert len(SAVED_WORKBOOKS) == 16, f"the Excel-saved fixtures are missing from {EXCEL_SAVED}"
TICKETS = "工单"
DASHBOARD = "看板"
HEADERS = [c.label.zh for c in schema.TICKET_COLUMNS]
USER_COLUMN = "用时(小时)"  # the team's own formula column, inside the table
COL = {c.key: i for i, c in enumerate(schema.TICKET_COLUMNS)}
START = datetime(2024, 5, 20, 9, 30)


def tiny_png() -> bytes:
    """A 2x2 red PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def vba_project(folder: Path) -> Path:
    """xl/vbaProject.bin of the Excel-saved macro01.xlsm, extracted into ``folder``."""
    out = folder / "vbaProject.bin"
    with zipfile.ZipFile(EXCEL_SAVED / "macro01.xlsm") as z:
        out.write_bytes(z.read("xl/vbaProject.bin"))
    return out


def ticket(i: int) -> list:
    """Row values for ticket ``i`` (0-based), the computed columns left empty."""
    reported = START + timedelta(hours=3 * i, minutes=7 * i)
    row: list = [None] * len(HEADERS)
    row[COL["ticket_no"]] = f"{reported:%Y%m%d}-{i % 900 + 1:03d}"
    row[COL["reported_at"]] = reported
    row[COL["reporter"]] = f"用户{i}"
    row[COL["department"]] = "销售部"
    row[COL["module"]] = "销售模块V3.2"
    row[COL["description"]] = "=1+1 typed by a reporter" if i == 1 else f"问题描述 {i}"
    row[COL["priority"]] = f"P{i % 4 + 1}"
    row[COL["status"]] = "新建" if i % 3 else "处理中"
    return row


def make_tracker(path: Path, rows: int = 20, vba: Path | None = None) -> Path:
    """The full tracker described in the module docstring; ``path`` must end .xlsm when ``vba``."""
    wb = xlsxwriter.Workbook(str(path))
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    red = wb.add_format({"bg_color": "#FFC7CE"})
    ws = wb.add_worksheet(TICKETS)
    dash = wb.add_worksheet(DASHBOARD)
    last = rows  # 0-based last data row
    for c, column in enumerate(schema.TICKET_COLUMNS):
        ws.set_column(c, c, 14, when if column.kind is schema.Kind.DATETIME else None)
    for i in range(rows):
        for c, value in enumerate(ticket(i)):
            if isinstance(value, datetime):
                ws.write_datetime(i + 1, c, value, when)
            elif value is not None:
                ws.write_string(i + 1, c, value)
    columns = [{"header": h} for h in HEADERS]
    resolved, reported = HEADERS[COL["resolved_at"]], HEADERS[COL["reported_at"]]
    columns.append({"header": USER_COLUMN, "formula": f'=IF(Tickets[@[{resolved}]]="","",'
                                                       f"(Tickets[@[{resolved}]]-Tickets[@[{reported}]])*24)"})
    ws.add_table(0, 0, last, len(HEADERS), {"name": "Tickets", "columns": columns, "style": "Table Style Light 9"})
    for c, header in enumerate(HEADERS):
        ws.write_string(0, c, header, head)
    ws.freeze_panes(1, 0)
    ws.data_validation(1, COL["priority"], last, COL["priority"], {"validate": "list", "source": ["P1", "P2", "P3", "P4"]})
    ws.data_validation(1, COL["status"], last, COL["status"],
                       {"validate": "list", "source": [s.zh for s in schema.STATUSES.values()]})
    ws.conditional_format(1, 0, last, len(HEADERS) - 1, {"type": "formula", "criteria": '=$AG2="超时"', "format": red})
    ws.set_row(5, None, None, {"hidden": True})
    ws.write_comment(2, 0, "客户很急")
    ws.insert_textbox(1, len(HEADERS) + 3, "看这里", {"width": 200, "height": 60})
    ws.insert_button(4, len(HEADERS) + 3, {"macro": "SampleCall", "caption": "Refresh"})
    ws.insert_image(8, len(HEADERS) + 3, "tiny.png", {"image_data": io.BytesIO(tiny_png())})
    for i in range(min(rows, 5)):
        ws.write_number(i + 1, len(HEADERS) + 1, i + 1)
        ws.write_number(i + 1, len(HEADERS) + 2, i * 2)
        ws.add_sparkline(i + 1, len(HEADERS) + 4, {"range": f"{TICKETS}!AK{i + 2}:AL{i + 2}"})
    ws.write_formula(0, len(HEADERS) + 6, f"=COUNTA(A2:A{rows + 1})", None, rows)
    wb.define_name("工单数", f"=COUNTA({TICKETS}!$A:$A)-1")
    ws.print_area(0, 0, last, len(HEADERS) - 1)
    wb.define_name("区域", f"={TICKETS}!$A$2:$C${rows + 1}")
    dash.write_string(0, 0, "待处理")
    dash.write_formula(0, 1, f"=COUNTIF({TICKETS}!L:L,\"新建\")", None, 0)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"values": f"={DASHBOARD}!$B$1:$B$1"})
    dash.insert_chart(2, 1, chart)
    if vba is not None:
        wb.add_vba_project(str(vba))
        wb.set_vba_name("ThisWorkbook")
    wb.close()
    return path


def add_calc_chain(path: Path) -> None:
    """Give a package a calcChain part, as Excel writes one beside formulas."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    chain = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns='
             b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="AO1" i="1"/></calcChain>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/calcChain" '
                                    b'Target="calcChain.xml"/></Relationships>')
            z.writestr(info, data)
        z.writestr("xl/calcChain.xml", chain)


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's local header and compressed bytes, as stored."""
    with Package.open(path) as pkg:
        return {m.info.filename: m.header + b"".join(pkg.raw(m)) for m in pkg.members}


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def sheet_part(path: Path, sheet: str) -> str:
    with Package.open(path) as pkg:
        return pkg.sheet_parts()[sheet]
