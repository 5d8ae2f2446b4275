"""Archives keep everything a ticket row carries besides its values: hyperlink targets, notes and
rich text, through every later run that rewrites the month's workbook. A picture drawn on a
moving ticket's row stays in the tracker, and the archive run says so.

The tracker is made as a user makes it in Excel (openpyxl for Excel): links typed into the
attachment cell, a note on the description, part of the summary in bold red, a screenshot pasted
beside the ticket.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime

from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image

from tests.support.cli import run
from tests.support.books import BASE, typed
from workbook.core import schema

NOW = "2024-06-15 10:00"
CLOSED = {"status": "已关闭", "first_response_at": datetime(2024, 5, 2, 9, 5), "assigned_at": datetime(2024, 5, 2, 9, 5),
          "resolved_at": datetime(2024, 5, 3, 9, 0), "closed_at": datetime(2024, 5, 3, 10, 0), "summary": "重启服务",
          "backup_done": "是"}
LINK = "https://files.example.com/tickets/screenshot-1.png"
RICH = CellRichText(["原因：", TextBlock(InlineFont(b=True, color="FFFF0000"), "磁盘已满"), "，已清理"])


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def columns(ws) -> dict[str, int]:
    return {schema.column("tickets", key).key: c.column for c in ws[1] for key in ("attachments", "description",
            "summary", "ticket_no") if c.value == schema.column("tickets", key).label.zh}


def decorate(path, row: int, picture: bool) -> None:
    wb = load_workbook(path, rich_text=True)
    ws = wb[schema.SHEETS["tickets"].zh]
    col = columns(ws)
    ws.cell(row, col["attachments"], "截图").hyperlink = LINK
    ws.cell(row, col["description"]).comment = Comment("报修人电话 138xxxx", "王芳")
    ws.cell(row, col["summary"]).value = RICH
    if picture:
        image = Image(io.BytesIO(png()))
        ws.add_image(image, f"AK{row}")
    wb.save(path)


def archived(path):
    file = next((path.parent / "archive").rglob("*.xlsx"))
    wb = load_workbook(file, rich_text=True)
    ws = wb[schema.SHEETS["tickets"].zh]
    header = {c.value: c.column for c in ws[1]}
    return {ws.cell(r, header["工单编号"]).value: {h: ws.cell(r, c) for h, c in header.items()}
            for r in range(2, ws.max_row + 1)}


def test_links_notes_and_rich_text_go_into_the_archive_and_stay_through_later_runs(tmp_path):
    first = {**BASE, "reported_at": datetime(2024, 5, 2, 9, 0), **CLOSED}
    later = {**BASE, "reported_at": datetime(2024, 5, 4, 9, 0), "status": "处理中"}
    path = typed(tmp_path / "t.xlsx", [first, later, {**BASE, "reported_at": datetime(2024, 6, 1, 9, 0)}])
    decorate(path, 2, picture=True)
    assert run("refresh", path, "--now", NOW).exit_code == 0
    result = run("archive", path, "--month", "2024-05", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "工单!AK2" in result.output and "20240502-001" in result.output  # the picture is told
    cells = archived(path)["20240502-001"]
    assert cells["附件"].hyperlink.target == LINK and cells["附件"].value == "截图"
    assert cells["问题描述"].comment.text == "报修人电话 138xxxx" and cells["问题描述"].comment.author == "王芳"
    rich = cells["处理总结"].value
    assert isinstance(rich, CellRichText) and str(rich) == str(RICH)
    bold = [block for block in rich if isinstance(block, TextBlock)]
    assert bold[0].text == "磁盘已满" and bold[0].font.b and bold[0].font.color.rgb == "FFFF0000"

    # the second May ticket closes later: the month's workbook is written again, the first keeps all
    wb = load_workbook(path)
    ws = wb[schema.SHEETS["tickets"].zh]
    header = {c.value: c.column for c in ws[1]}
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "20240504-001")
    for key, value in {**CLOSED, "resolved_at": datetime(2024, 5, 30, 9, 0), "closed_at": datetime(2024, 5, 30, 10, 0)}.items():
        ws.cell(row, header[schema.column("tickets", key).label.zh], value)
    wb.save(path)
    decorate(path, row, picture=False)
    assert run("refresh", path, "--now", NOW).exit_code == 0
    result = run("archive", path, "--month", "2024-05", "--now", NOW)
    assert result.exit_code == 0, result.output
    both = archived(path)
    assert set(both) == {"20240502-001", "20240504-001"}
    for number in both:
        assert both[number]["附件"].hyperlink.target == LINK
        assert both[number]["问题描述"].comment.text == "报修人电话 138xxxx"
        assert str(both[number]["处理总结"].value) == str(RICH)


def test_extras_are_read_as_excel_stores_them(tmp_path):
    """Excel keeps rich text in the shared strings and links as external relationships; XlsxWriter
    writes them the same way."""
    import xlsxwriter

    from workbook.xlsx.cell_extras import read_extras

    path = tmp_path / "excel.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("工单")
    bold_red = wb.add_format({"bold": True, "font_color": "#FF0000"})
    ws.write_rich_string("B2", "原因：", bold_red, "磁盘已满", "，已清理")
    ws.write_url("C2", LINK, string="截图")
    ws.write_url("D2", "internal:'工单'!A1", string="回到顶部")
    ws.write_comment("E2", "报修人电话 138xxxx", {"author": "王芳"})
    wb.close()
    extras = read_extras(path, ["工单"])["工单"]
    assert "".join(text for text, _ in extras[(1, 1)].runs) == "原因：磁盘已满，已清理"
    assert dict(extras[(1, 1)].runs[1][1]).get("b") == "1" and dict(extras[(1, 1)].runs[1][1])["color"] == "FFFF0000"
    assert extras[(1, 2)].link == LINK and extras[(1, 3)].link == "#'工单'!A1"
    assert (extras[(1, 4)].note, extras[(1, 4)].note_author) == ("报修人电话 138xxxx", "王芳")
