"""A month's archive workbook, authored new with openpyxl each time (:mod:`workbook.app.archives` reads it).

The archive is a plain table the team can filter, in the tracker's language and layout: Tickets and
Log sheets with the tracker's headers, date-time formats, a frozen header and an autofilter, and a
summary sheet. Nothing in it is owned by a user, so writing it afresh loses nothing.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from ..core import schema
from ..core.archive import STATUS_HEADERS, SUMMARY_HEADERS, SUMMARY_SHEET, ArchiveRows, Extra, summary_rows
from ..core.book import Value
from . import style
from .purpose import mark
from .style import HEADER_FILL, font
from .template import DATE_FORMAT, DATETIME_FORMAT

CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTH_SAMPLE = 500  # rows looked at for column widths: enough to see the typical value, fast on big months
MAX_WIDTH = 40  # a description column would otherwise push every other column off the page


def write_archive(path: Path, month: str, lang: str, tickets: ArchiveRows, log: ArchiveRows) -> None:
    """Write the month's workbook to ``path`` (the caller renames it into place).

    openpyxl's write-only mode streams the rows: twice as fast as building the sheets in memory.
    """
    wb = Workbook(write_only=True)
    try:
        style.use_font(wb, lang)
        title = f"{schema.TRACKER_TITLE(lang)} {month}"
        _table(wb.create_sheet(schema.SHEETS["tickets"](lang)), tickets, schema.TICKET_COLUMNS, "B2", lang, title)
        _table(wb.create_sheet(schema.SHEETS["log"](lang)), log, schema.LOG_COLUMNS, "A2", lang, title)
        _summary(wb.create_sheet(SUMMARY_SHEET(lang)), summary_rows(tickets, month, lang), lang, title)
        wb.properties.title = title
        mark(wb, "archive")
        wb.save(path)
    except BaseException:
        _release(wb)
        raise


def _release(wb: Workbook) -> None:
    """Close the sheet streams a failed write left open and remove their temp files.

    A write-only sheet streams its rows through a generator nested in the sheet's own generator, both
    over one lxml writer. Left to the garbage collector they close in any order, and lxml's "not in an
    element" is printed as an ignored exception; the temp files would stay until the process exits.
    """
    for ws in wb.worksheets:
        if ws._rows is not None:
            ws._rows.close()  # the rows first: it ends <sheetData> inside the sheet's <worksheet>
        if ws._writer is not None:
            ws._writer.close()
            with suppress(FileNotFoundError):  # a sheet already saved has removed its own
                ws._writer.cleanup()


def _table(ws, rows: ArchiveRows, columns: tuple[schema.Column, ...], freeze: str, lang: str, title: str) -> None:
    """A header row, then the rows; column widths, a frozen header and an autofilter over all of it;
    printed one page wide with the header row on every page."""
    kinds = []
    for i, header in enumerate(rows.headers, start=1):
        column = next((c for c in columns if c.label.matches(header)), None)
        # Long texts (descriptions, summaries) wrap in Excel's view; a width fits the typical value.
        values = [row[i - 1] for row in rows.rows[:WIDTH_SAMPLE] if i - 1 < len(row)]
        ws.column_dimensions[get_column_letter(i)].width = style.fit_width(header, values, 8, MAX_WIDTH)
        kinds.append(column.kind if column else None)
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(rows.headers), 1))}{len(rows.rows) + 1}"
    style.print_setup(ws, lang, title)
    ws.append([_header(ws, h, lang) for h in rows.headers])
    for row in rows.rows:
        extras = getattr(row, "extras", {})
        ws.append([_cell(ws, value, kind, extras.get(header))
                   for value, kind, header in zip(row, kinds, rows.headers)])


def _header(ws, text: str, lang: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, text)
    cell.font, cell.fill, cell.alignment = font(lang, bold=True), HEADER_FILL, CENTRED
    return cell


def _cell(ws, value: Value, kind: schema.Kind | None, extra: Extra | None = None) -> Value | WriteOnlyCell:
    """The cell for a value; with what the tracker's cell carried besides (link, note, rich text)."""
    cell = _plain_cell(ws, value, kind)
    if extra is None:
        return cell
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(ws, cell)
    if extra.runs and "".join(text for text, _ in extra.runs) == value:
        cell.value = CellRichText([TextBlock(_font(props), text) if props else text for text, props in extra.runs])
    if extra.link:
        cell.hyperlink = extra.link
    if extra.note:
        cell.comment = Comment(extra.note, extra.note_author or "")
    return cell


def _font(props: tuple[tuple[str, str], ...]) -> InlineFont:
    found = dict(props)
    flags = {k: found[k] not in ("0", "false") for k in ("b", "i", "strike") if k in found}
    return InlineFont(**flags, u=found.get("u"), sz=float(found["sz"]) if "sz" in found else None,
                      color=found.get("color"), rFont=found.get("rFont"), vertAlign=found.get("vertAlign"))


def _plain_cell(ws, value: Value, kind: schema.Kind | None) -> Value | WriteOnlyCell:
    if isinstance(value, date):
        # calamine reads a date-time at midnight back as a date: the column decides the format
        cell = WriteOnlyCell(ws, value)
        datetime_like = isinstance(value, datetime) or kind is schema.Kind.DATETIME
        cell.number_format = DATETIME_FORMAT if datetime_like else DATE_FORMAT
        return cell
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        # XML cannot hold control characters; Excel's escape _xHHHH_ reads back as the character
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # openpyxl takes "=..." for a formula: a reporter's text stays text
        return cell
    return value


def _summary(ws, rows: list[list[Value]], lang: str, title: str) -> None:
    headers = [[h(lang) for h in labels] for labels in (SUMMARY_HEADERS, STATUS_HEADERS)]
    for c, letter in enumerate("ABCD"):
        ws.column_dimensions[letter].width = style.fit_width("", [row[c] for row in rows[1:] if len(row) > c], 10)
    style.print_setup(ws, lang, title, None)
    for r, row in enumerate(rows):
        if r == 0:
            heading = WriteOnlyCell(ws, row[0])
            heading.font = font(lang, bold=True, size=14)
            ws.append([heading])
        else:
            ws.append([_header(ws, v, lang) for v in row] if row in headers else row)
