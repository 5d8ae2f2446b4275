"""Author the monthly report workbook with openpyxl: one sheet per group of tables, each table with
its native charts beside it, reading the table's own cells.

The report is a new file every time (nothing in it belongs to a user), so openpyxl writing it whole
is right here. Layout of a sheet: the report title in A1, then the tables one under another from
row 3, each a title row, a header row and its body; a table's charts sit to the right of the
widest table, one under another, and a table's block is tall enough for them.
"""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..core.errors import FileProblem, NotWritable
from ..core.report_model import SHEETS, TITLES, Chart, Report, ReportTable
from ..xlsx.safe_write import check_not_open, temp_name
from .purpose import mark, purpose_of
from ..core.schema import LIST_SEPARATOR, Label

FIRST_ROW = 3  # 1-based: the report title and a blank row above the first table
GAP = 2  # blank rows between two tables
CHART_ROWS = 16  # rows one chart covers at the default row height (7.5 cm)
CHART_WIDTH, CHART_HEIGHT = 16, 7.5  # cm
EXCEL_FORMATS = {"int": "0", "percent": "0.0%", "minutes": "0.0", "hours": "0.00", "decimal": "0.00",
                 "date": "yyyy-mm-dd"}
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
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
    placed = {}
    for key, label in SHEETS.items():
        tables = [t for t in report.tables if t.sheet == key]
        if tables:
            ws = wb.create_sheet(label(report.lang))
            placed[ws.title], free_row = _sheet(ws, report, tables)
            if key == "overview":
                _meta(ws, report, free_row)
    wb.properties.title = TITLES["report"](report.lang).format(month=report.month)
    mark(wb, "report")
    tmp = temp_name(path)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise NotWritable("report_not_written", lang=report.lang, where=path, reason=exc.strerror or exc) from None
    return placed


def _sheet(ws: Worksheet, report: Report, tables: list[ReportTable]) -> tuple[dict[str, tuple[int, int]], int]:
    """Write the tables; where each landed (title row, first column) and the first free row below."""
    title = ws.cell(row=1, column=1, value=TITLES["report"](report.lang).format(month=report.month))
    title.font = Font(bold=True, size=14)
    chart_col = max(len(t.columns) for t in tables) + 2
    placed, row = {}, FIRST_ROW
    for table in tables:
        placed[table.key] = (row, 1)
        _table(ws, table, row)
        charts = [c for c in table.charts if table.rows]  # a chart over no rows would be empty
        for i, chart in enumerate(charts):
            anchor = f"{get_column_letter(chart_col)}{row + i * CHART_ROWS}"
            ws.add_chart(_chart(ws, table, chart, row, _chart_title(table, chart, report.lang)), anchor)
        row += max(len(table.rows) + 2, len(charts) * CHART_ROWS) + GAP
    ws.column_dimensions["A"].width = 26
    for c in range(2, chart_col):
        ws.column_dimensions[get_column_letter(c)].width = 15
    # Print each sheet one page wide, as many pages down as it takes, tables and charts side by side.
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    return placed, row


def _table(ws: Worksheet, table: ReportTable, row: int) -> None:
    ws.cell(row=row, column=1, value=table.title).font = Font(bold=True, size=12)
    for c, column in enumerate(table.columns, start=1):
        cell = ws.cell(row=row + 1, column=c, value=column.header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[row + 1].height = 30  # two lines: the long headers wrap
    for r, values in enumerate(table.rows, start=row + 2):
        for c, (column, value) in enumerate(zip(table.columns, values), start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if column.fmt in EXCEL_FORMATS:
                cell.number_format = EXCEL_FORMATS[column.fmt]
            elif isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # a module or reason typed as "=..." stays text, not a formula


def _chart_title(table: ReportTable, spec: Chart, lang: str) -> str:
    """The table's title; a table with several charts adds the names of each chart's series."""
    if len(table.charts) == 1:
        return table.title
    headers = [c.header for c in table.columns if c.key in spec.series]
    return f"{table.title} — {LIST_SEPARATOR(lang).join(headers)}"


def _chart(ws: Worksheet, table: ReportTable, spec: Chart, row: int, title: str) -> BarChart | LineChart:
    """A native chart over the table's cells: one series per column named, categories from column A."""
    chart = LineChart() if spec.kind == "line" else BarChart()
    if spec.kind != "line":
        chart.type = "bar" if spec.kind == "bar" else "col"
    if spec.kind == "stacked":
        chart.grouping, chart.overlap = "stacked", 100
    if spec.kind == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # the first row on top, as in the table
    chart.title = title
    chart.width, chart.height = CHART_WIDTH, CHART_HEIGHT
    # openpyxl 3.1 marks axes deleted unless told otherwise, and Excel then draws none.
    chart.x_axis.delete = chart.y_axis.delete = False
    header, first, last = row + 1, row + 2, row + 1 + len(table.rows)
    keys = [c.key for c in table.columns]
    for key in spec.series:
        col = keys.index(key) + 1
        chart.add_data(Reference(ws, min_col=col, min_row=header, max_row=last), titles_from_data=True)
    for series in chart.series:
        series.smooth = False  # openpyxl smooths line series by default; a trend shows its real points
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    if spec.percent:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.y_axis.number_format = "0%"
    if len(spec.series) == 1:
        chart.legend = None  # the title says what the one series is
    return chart


def _meta(ws: Worksheet, report: Report, row: int) -> None:
    """Cut-off, generation time and the files read, below the overview."""
    lines = [(META["cut"], report.cut.strftime("%Y-%m-%d %H:%M")), (META["now"], report.now.strftime("%Y-%m-%d %H:%M"))]
    lines += [(META["sources"] if i == 0 else None, source) for i, source in enumerate(report.sources)]
    for i, (label, value) in enumerate(lines):
        if label is not None:
            ws.cell(row=row + i, column=1, value=label(report.lang)).font = Font(bold=True)
        ws.cell(row=row + i, column=2, value=value)
