"""Author the monthly report workbook with openpyxl: one sheet per group of tables, each table with
its native charts, reading the table's own cells.

The report is a new file every time (nothing in it belongs to a user), so openpyxl writing it whole
is right here. A sheet is laid out on a page grid: A4 landscape at 100 %, every row of a known
height, the report title in A1, then the tables one under another, each a title row, a header row
and its body, its charts beside it (or below it when the table leaves no room). A table and its
charts start a new page when they would not fit on the current one, and a table longer than a page
continues on the next under its header again, so no chart or table is cut by a page break.
Printing at 100 % with manual breaks: Excel ignores manual breaks once "fit to" is set.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, OneCellAnchor
from openpyxl.drawing.xdr import XDRPositiveSize2D
from openpyxl.utils.units import cm_to_EMU, pixels_to_EMU
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ..core.errors import FileProblem, NotWritable
from ..core.report_model import SHEETS, TITLES, Chart, Report, ReportTable
from ..xlsx.safe_write import check_not_open, temp_name
from ..core.schema import LIST_SEPARATOR, Label
from . import style
from .purpose import mark, purpose_of
from .style import HEADER_FILL, font

ROW_PT, TITLE_PT, HEADER_PT = 16, 22, 30  # row heights in points: body, table title, header (two lines)
PAGE_PT = style.PAGE_HEIGHT_PT * 0.92  # what a page holds; the rest absorbs renderers' rounding
CHART_HEIGHT, MAX_CHART_HEIGHT = 6.2, 12  # cm
CHART_OFFSET_PT = 3  # a chart's top below its anchor row's top edge
WIDE_CHART = (22, 7.0)  # cm: a chart below its table, alone on its rows; two fit a page
CHART_WIDTH, CHART_MIN_WIDTH = 12.5, 9  # cm: beside the table when at least the minimum fits
GAP_COLUMN = 2  # width of the empty column between a sheet's tables and its charts
EXCEL_FORMATS = {"int": "0", "percent": "0.0%", "minutes": "0.0", "hours": "0.00", "decimal": "0.00",
                 "date": "yyyy-mm-dd"}
AXIS_TITLES = {"int": Label("工单数", "Tickets"), "percent": Label("达标率", "Compliance"),
               "minutes": Label("分钟", "Minutes"), "hours": Label("小时", "Hours"), "decimal": None}
TARGET = Label("目标", "Target")
CONTINUED = Label("{title}（续）", "{title} (continued)")
FILE_STEM = Label("月度报告", "monthly-report")
META = {
    "cut": Label("统计截止", "Cut-off"),
    "now": Label("生成时间", "Generated"),
    "sources": Label("数据来源", "Sources"),
}


def default_path(tracker: Path, month: str, lang: str) -> Path:
    return Path(tracker).resolve().parent / f"{FILE_STEM(lang)}_{month}.xlsx"


def write_report(report: Report, path: Path) -> dict[str, dict[str, tuple[int, int]]]:
    """Write ``report`` to ``path`` (temp file, then rename); where each table landed:
    sheet name -> {table key: (title row, first column)}, both 1-based."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise FileProblem("report_suffix", lang=report.lang, where=path)
    check_not_open(path)
    if path.exists() and purpose_of(path) != "report":  # an archive's only copy, a tracker...
        raise FileProblem("not_a_report", where=path)
    wb = Workbook()
    wb.remove(wb.active)
    style.use_font(wb, report.lang)
    title = TITLES["report"](report.lang).format(month=report.month)
    placed = {}
    for key, label in SHEETS.items():
        tables = [t for t in report.tables if t.sheet == key]
        if tables:
            ws = wb.create_sheet(label(report.lang))
            style.print_setup(ws, report.lang, title, None, fit="none")
            pages = Pages(ws)
            placed[ws.title] = _sheet(ws, report, tables, pages)
            if key == "overview":
                _meta(ws, report, pages)
    wb.properties.title = title
    mark(wb, "report")
    tmp = temp_name(path)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise NotWritable("report_not_written", lang=report.lang, where=path, reason=exc.strerror or exc) from None
    return placed


class Pages:
    """The rows of a sheet filled top down, with a manual page break before what would not fit."""

    def __init__(self, ws: Worksheet):
        self.ws, self.row, self.used = ws, 1, 0.0  # next free row (1-based); points used on this page

    def room_for(self, height: float) -> int:
        """The row where something ``height`` points tall starts: here, or on a new page."""
        if self.used and self.used + height > PAGE_PT:
            self.ws.row_breaks.append(Break(id=self.row - 1))
            self.used = 0.0
        return self.row

    def advance(self, heights: list[float]) -> None:
        for height in heights:
            self.ws.row_dimensions[self.row].height = height
            self.used += height
            self.row += 1

    def gap(self) -> None:
        if self.used + ROW_PT <= PAGE_PT:
            self.advance([ROW_PT])


def _sheet(ws: Worksheet, report: Report, tables: list[ReportTable], pages: Pages) -> dict[str, tuple[int, int]]:
    """Write the tables and their charts; where each table landed (title row, first column)."""
    lang = report.lang
    widths = _widths(tables, report.compliance_target is not None)
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    chart_col = len(widths) + 2
    ws.column_dimensions[get_column_letter(chart_col - 1)].width = GAP_COLUMN
    room = (style.PAGE_WIDTH_PT * 0.95 - sum(map(_points, [*widths, GAP_COLUMN]))) / 72 * 2.54
    beside = room >= CHART_MIN_WIDTH
    width = min(CHART_WIDTH, room) if beside else WIDE_CHART[0]  # a chart alone below takes the page's width
    ws.cell(row=1, column=1, value=TITLES["report"](lang).format(month=report.month)).font = font(lang, bold=True, size=14)
    pages.advance([TITLE_PT, ROW_PT])
    placed = {}
    for table in tables:
        target = report.compliance_target if any(c.percent for c in table.charts) else None
        charts = [c for c in table.charts if table.rows]  # a chart over no rows would be empty
        heights = [_chart_height(table, spec, beside) for spec in charts]
        per_page = int((PAGE_PT - TITLE_PT - HEADER_PT) // ROW_PT)
        chunks = [table.rows[i:i + per_page] for i in range(0, len(table.rows), per_page)] or [[]]
        for i, rows in enumerate(chunks):
            offsets, side = _stack(heights) if beside and i == 0 else ([], 0)
            height = TITLE_PT + HEADER_PT + ROW_PT * max(len(rows), side)
            row = pages.room_for(height)
            placed.setdefault(table.key, (row, 1))
            name = table.title if i == 0 else CONTINUED(lang).format(title=table.title)
            _table(ws, table, rows, row, name, target, lang)
            for spec, chart_height, offset in zip(charts, heights, offsets):
                chart = _chart(ws, table, spec, row, target, (width, chart_height), lang)
                _place(ws, chart, chart_col, row + offset)
            pages.advance([TITLE_PT, HEADER_PT] + [ROW_PT] * max(len(rows), side))
            pages.gap()
        if not beside:
            for spec, chart_height in zip(charts, heights):
                at = pages.room_for(_rows_for(chart_height) * ROW_PT)
                _place(ws, _chart(ws, table, spec, placed[table.key][0], target, (width, chart_height), lang), 1, at)
                pages.advance([ROW_PT] * _rows_for(chart_height))
    return placed


def _chart_height(table: ReportTable, spec: Chart, beside: bool) -> float:
    """cm: horizontal bars get room for every category's label (LibreOffice hides labels that crowd)."""
    least = CHART_HEIGHT if beside else WIDE_CHART[1]
    if spec.kind != "bar":
        return least
    return min(MAX_CHART_HEIGHT, max(least, 2.8 + 0.7 * len(table.rows)))


def _rows_for(height: float) -> int:
    """Body rows a chart ``height`` cm tall covers, its top offset and one blank row under it included."""
    return math.ceil((height / 2.54 * 72 + CHART_OFFSET_PT) / ROW_PT) + 1


def _stack(heights: list[float]) -> tuple[list[int], int]:
    """Charts stacked beside a table from its title row: each chart's row offset from the title row,
    and the body rows the table's block needs for them (the taller title and header rows hold part of
    the first chart)."""
    if not heights:
        return [], 0
    body = math.ceil((heights[0] / 2.54 * 72 + CHART_OFFSET_PT - TITLE_PT - HEADER_PT) / ROW_PT) + 1
    offsets = [0]
    for height in heights[1:]:
        offsets.append(2 + body)
        body += _rows_for(height)
    return offsets, body


def _place(ws: Worksheet, chart: BarChart | LineChart, col: int, row: int) -> None:
    """Anchor ``chart`` at column ``col``, row ``row`` (1-based), a little below the row's top edge:
    LibreOffice rounds positions, and a chart flush with a page's first row may draw its top border
    on the page before."""
    chart.anchor = OneCellAnchor(_from=AnchorMarker(col=col - 1, row=row - 1, rowOff=pixels_to_EMU(CHART_OFFSET_PT * 4 / 3)),
                                 ext=XDRPositiveSize2D(cm_to_EMU(chart.width), cm_to_EMU(chart.height)))
    ws.add_chart(chart)


def _points(width: float) -> float:
    """A column's printed width in points, erring wide: a character is 7 px in Excel's Calibri, 8 in
    Microsoft YaHei, and 9.3 in DejaVu Sans, LibreOffice's stand-in where neither is installed."""
    return (width * 9.5 + 5) * 0.75


def _widths(tables: list[ReportTable], target: bool) -> list[float]:
    """One width per column, wide enough for every table's values and headers in it."""
    count = max(len(t.columns) + (1 if target and any(c.percent for c in t.charts) else 0) for t in tables)
    widths = []
    for c in range(count):
        headers = [t.columns[c].header for t in tables if c < len(t.columns)]
        values = [_shown(row[c], t.columns[c].fmt) for t in tables if c < len(t.columns) for row in t.rows]
        text = any(t.columns[c].fmt == "text" for t in tables if c < len(t.columns))
        widths.append(style.fit_width(max(headers, key=style.text_width, default=TARGET.en), values,
                                      8, 40 if text else 14))
    return widths


def _shown(value: object, fmt: str) -> object:
    if isinstance(value, float) and fmt == "percent":
        return f"{value:.1%}"
    return value


def _table(ws: Worksheet, table: ReportTable, rows: list[list[object]], row: int, title: str, target: float | None,
           lang: str) -> None:
    ws.cell(row=row, column=1, value=title).font = font(lang, bold=True, size=12)
    headers = [c.header for c in table.columns] + ([TARGET(lang)] if target is not None else [])
    for c, header in enumerate(headers, start=1):
        cell = ws.cell(row=row + 1, column=c, value=header)
        cell.font, cell.fill = font(lang, bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(rows, start=row + 2):
        for c, (column, value) in enumerate(zip(table.columns, values), start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if column.fmt in EXCEL_FORMATS:
                cell.number_format = EXCEL_FORMATS[column.fmt]
            elif isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a module or reason typed as "=..." stays text, not a formula
        if target is not None:
            ws.cell(row=r, column=len(table.columns) + 1, value=target).number_format = "0%"


def _chart_title(table: ReportTable, spec: Chart, lang: str) -> str:
    """The table's title; a table with several charts adds the names of each chart's series."""
    if len(table.charts) == 1:
        return table.title
    headers = [c.header for c in table.columns if c.key in spec.series]
    return f"{table.title} — {LIST_SEPARATOR(lang).join(headers)}"


def _chart(ws: Worksheet, table: ReportTable, spec: Chart, row: int, target: float | None, size: tuple[float, float],
           lang: str) -> BarChart | LineChart:
    """A native chart over the table's first rows on the sheet: one series per column named,
    categories from column A; compliance charts draw the target as a dashed line."""
    chart = LineChart() if spec.kind == "line" else BarChart()
    if spec.kind != "line":
        chart.type = "bar" if spec.kind == "bar" else "col"
        chart.gapWidth = 60
    if spec.kind == "stacked":
        chart.grouping, chart.overlap = "stacked", 100
    if spec.kind == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # the first row on top, as in the table
        chart.y_axis.crosses = "max"  # ... and the values along the bottom
    chart.title = _chart_title(table, spec, lang)
    chart.width, chart.height = size
    chart.display_blanks = "gap"  # a month without data is a gap, not a drop to 0
    style.chart_text(chart, lang)
    style.every_category(chart.x_axis)
    chart.y_axis.delete = False
    style.light_gridlines(chart.y_axis)
    shown = min(len(table.rows), int((PAGE_PT - TITLE_PT - HEADER_PT) // ROW_PT))
    header, first, last = row + 1, row + 2, row + 1 + shown
    columns = {c.key: (i + 1, c) for i, c in enumerate(table.columns)}
    for key in spec.series:
        chart.add_data(Reference(ws, min_col=columns[key][0], min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    for series, rgb in zip(chart.series, (style.STRONG["met"],) if spec.percent else style.SERIES):
        style.colour(series, rgb, line=spec.kind == "line")
        series.smooth = False  # openpyxl smooths line series by default; a trend shows its real points
    fmt = columns[spec.series[0]][1].fmt
    if spec.percent:
        style.percent_axis(chart.y_axis)
    elif fmt == "int":
        largest = max((v for r in table.rows[:shown] for v in _drawn(r, spec, columns)), default=0)
        stacked = spec.kind == "stacked"
        if stacked:
            largest = max((sum(_drawn(r, spec, columns)) for r in table.rows[:shown]), default=0)
        style.count_axis(chart.y_axis, largest)
    else:  # minutes, hours, averages: from 0, in the table's own format
        chart.y_axis.number_format, chart.y_axis.scaling.min = EXCEL_FORMATS.get(fmt, "General"), 0
    if AXIS_TITLES.get(fmt):
        chart.y_axis.title = AXIS_TITLES[fmt](lang)
    if spec.kind in ("col", "bar") and len(spec.series) <= 2:
        style.value_labels(chart, "0%" if spec.percent else None)
    if spec.percent and target is not None:
        line = LineChart()
        target_col = len(table.columns) + 1
        line.add_data(Reference(ws, min_col=target_col, min_row=header, max_row=last), titles_from_data=True)
        line.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        style.dashed(line.series[0], style.TARGET)
        if spec.kind == "line":
            chart.series.append(line.series[0])
        else:
            chart += line
    if len(chart.series) == 1:
        chart.legend = None  # the title says what the one series is
    else:
        chart.legend.position = "b"
    return chart


def _drawn(row: list[object], spec: Chart, columns: dict) -> list[float]:
    return [v for key in spec.series if isinstance(v := row[columns[key][0] - 1], (int, float))]


def _meta(ws: Worksheet, report: Report, pages: Pages) -> None:
    """Cut-off, generation time and the files read (named relative to the tracker), below the overview."""
    lines = [(META["cut"], report.cut.strftime("%Y-%m-%d %H:%M")), (META["now"], report.now.strftime("%Y-%m-%d %H:%M"))]
    lines += [(META["sources"] if i == 0 else None, source) for i, source in enumerate(report.sources)]
    row = pages.room_for(ROW_PT * len(lines))
    for i, (label, value) in enumerate(lines):
        if label is not None:
            ws.cell(row=row + i, column=1, value=label(report.lang)).font = font(report.lang, bold=True)
        ws.cell(row=row + i, column=2, value=value)
    pages.advance([ROW_PT] * len(lines))
