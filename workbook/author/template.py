"""Author a new tracker workbook (``track-xls init``) with openpyxl.

openpyxl writes new workbooks only: loading and saving an existing one drops shapes, buttons and
sparklines, so existing workbooks are written by the file engine instead. Everything a user types
later must look right without the tool: validations, number formats and row colours reach
:data:`DATA_ROWS` rows below the header, and the row colours compare due times with ``NOW()``.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..core import dashboard, schema, settings
from ..core.cells import MAX_ROWS
from ..xlsx.made_by import category
from ..core.schema import Kind, Label
from . import style
from .style import HEADER_FILL, font

DATA_ROWS = 5000  # last row that validations and row colours cover; the file engine extends them
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
TABLE_STYLE = "TableStyleMedium2"

COMPUTED_NOTE = Label("由 track-xls 计算（刷新时写入），请勿手工填写。",
                      "Computed by track-xls on refresh; do not type here.")
SETTINGS_NOTE = Label("本表可直接编辑；下拉列表从H列起，可向下添加。",
                      "Edit freely; drop-down lists start at column H, add items below.")

# Excel caps a validation's error title at 32 characters and its message at 255.
ERROR_TITLE = Label("输入无效", "Invalid entry")
ERRORS = {
    "list": Label("请从下拉列表中选择。", "Please pick a value from the drop-down list."),
    "open_list": Label("不在「设置」表的列表中。可继续输入，但建议先把它加到列表里。",
                       "Not in the Settings list. You may keep it, but better add it to the list first."),
    "satisfaction": Label("满意度为1到5的整数。", "Satisfaction is a whole number from 1 to 5."),
    "datetime": Label("请输入日期时间，例如 2024-05-20 09:30。", "Enter a date and time, e.g. 2024-05-20 09:30."),
    "date": Label("请输入日期，例如 2024-05-20。", "Enter a date, e.g. 2024-05-20."),
}

# Ticket columns whose drop-down reads a Settings list: (list key, strict). Departments and people
# change more often than the list gets updated, so those only warn.
SETTINGS_LISTS = {
    "channel": ("channel", True),
    "category": ("category", True),
    "verification": ("verification", True),
    "department": ("department", False),
    "lead_department": ("department", False),
    "assignee": ("assignee", False),
}
# Each due column is pending while its done-time column is empty; the update clock recurs.
PENDING = (("response_due", "first_response_at"), ("assignment_due", "assigned_at"),
           ("next_update_due", None), ("resolution_due", "resolved_at"))

COMPUTED_FILL = PatternFill("solid", start_color="808080", end_color="808080")


def build_template(path: str | Path, lang: str = "zh") -> None:
    """Write a new, empty tracker workbook to ``path`` with headers in ``lang`` ("zh" or "en")."""
    wb = Workbook()
    wb.remove(wb.active)
    style.use_font(wb, lang)
    sheets = {key: wb.create_sheet(label(lang)) for key, label in schema.SHEETS.items()}
    _tickets_sheet(sheets["tickets"], lang)
    _log_sheet(sheets["log"], lang)
    for key in ("reviews", "faq", "archive_index"):
        _plain_sheet(sheets[key], key, lang)
    _settings_sheet(sheets["settings"], lang)
    _dashboard_sheet(sheets["dashboard"], lang)
    for key, ws in sheets.items():
        # The Settings sheet has no header row; the dashboard fits one page, for a wall screen.
        style.print_setup(ws, lang, schema.TRACKER_TITLE(lang), None if key in ("settings", "dashboard") else "1:1",
                          "page" if key == "dashboard" else "width")
    wb.active = 0
    wb.properties.title = schema.TRACKER_TITLE(lang)
    wb.properties.creator = "track-xls"
    wb.properties.category = category("tracker")
    wb.calculation.fullCalcOnLoad = True  # the row colours and any user formulas recalculate on open
    wb.save(path)


# -- shared pieces ------------------------------------------------------------------------------------

def _letters(columns: tuple[schema.Column, ...]) -> dict[str, str]:
    return {c.key: get_column_letter(i + 1) for i, c in enumerate(columns)}


def _header(ws: Worksheet, columns: tuple[schema.Column, ...], lang: str) -> None:
    """Header row, widths, column formats (so typed rows show dates) and a frozen header."""
    for i, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=column.header(lang))
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.font = font(lang, bold=True)
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = style.fit_width(column.header(lang), [], least=column.width)
        if column.kind is Kind.DATETIME:
            dim.number_format = DATETIME_FORMAT
        elif column.kind is Kind.DATE:
            dim.number_format = DATE_FORMAT
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"


def _fill_header(ws: Worksheet, count: int) -> None:
    for i in range(1, count + 1):
        ws.cell(row=1, column=i).fill = HEADER_FILL


def _rows(letter: str) -> str:
    """A validation's cells: the whole column below the header, so rows typed below any end are checked."""
    return f"{letter}2:{letter}{MAX_ROWS}"


def _validation(ws: Worksheet, letter: str, lang: str, message: str, strict: bool = True,
                **rule: object) -> None:
    # An open list (departments, people) only offers its entries: a name not in it yet is fine,
    # so Excel does not question every new colleague while the list is short or empty.
    dv = DataValidation(allow_blank=True, showErrorMessage=strict, errorTitle=ERROR_TITLE(lang),
                        error=ERRORS[message](lang), errorStyle="stop" if strict else "warning", **rule)
    dv.add(_rows(letter))
    ws.add_data_validation(dv)


def _inline_list(labels: list[str]) -> str:
    # An inline list is limited to 255 characters in Excel; ours are far shorter.
    return '"' + ",".join(labels) + '"'


def _date_validations(ws: Worksheet, columns: tuple[schema.Column, ...], lang: str) -> None:
    for column, letter in zip(columns, _letters(columns).values()):
        if column.kind in (Kind.DATETIME, Kind.DATE) and not column.computed:
            message = "datetime" if column.kind is Kind.DATETIME else "date"
            _validation(ws, letter, lang, message, type="date", operator="greaterThanOrEqual",
                        formula1="DATE(2000,1,1)")


def _yes_no(lang: str) -> str:
    return _inline_list([schema.YES(lang), schema.NO(lang)])


# -- Tickets ----------------------------------------------------------------------------------------

def _tickets_sheet(ws: Worksheet, lang: str) -> None:
    columns = schema.TICKET_COLUMNS
    letters = _letters(columns)
    _header(ws, columns, lang)
    ws.freeze_panes = "B2"  # keep the ticket number in view while scrolling right
    ws.column_dimensions[letters["contact"]].number_format = "@"  # phone numbers keep leading zeros
    # Header fills are set on the cells: LibreOffice does not draw Excel's table styles.
    _fill_header(ws, len(columns))
    for i, column in enumerate(columns, start=1):
        if column.computed:
            cell = ws.cell(row=1, column=i)
            cell.fill, cell.font = COMPUTED_FILL, font(lang, bold=True, color="FFFFFF")
            cell.comment = Comment(COMPUTED_NOTE(lang), "track-xls", width=220, height=60)
    last = letters[columns[-1].key]
    # One empty data row: a table needs a body, and typed rows below it join the table in Excel.
    table = Table(displayName="Tickets", ref=f"A1:{last}2")
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(table)
    _ticket_validations(ws, letters, lang)
    _row_colours(ws, letters, lang)


def _ticket_validations(ws: Worksheet, letters: dict[str, str], lang: str) -> None:
    _validation(ws, letters["priority"], lang, "list", type="list", formula1=_inline_list(list(schema.PRIORITIES)))
    _validation(ws, letters["status"], lang, "list", type="list",
                formula1=_inline_list([s(lang) for s in schema.STATUSES.values()]))
    _validation(ws, letters["backup_done"], lang, "list", type="list", formula1=_yes_no(lang))
    source = quote_sheetname(schema.SHEETS["settings"](lang))
    for column, (key, strict) in SETTINGS_LISTS.items():
        _validation(ws, letters[column], lang, "list" if strict else "open_list", strict, type="list",
                    formula1=settings.list_formula(key, source))
    _validation(ws, letters["satisfaction"], lang, "satisfaction", type="whole", operator="between",
                formula1="1", formula2="5")
    _date_validations(ws, schema.TICKET_COLUMNS, lang)


def _overdue(col: dict[str, str], lang: str) -> str:
    """Not done, and marked overdue or holding a pending due time before NOW()."""
    late = ",".join(_late(col, due, actual) for due, actual in PENDING)
    overdue = schema.SLA_STATES["overdue"](lang)
    return f'AND({_not_done(col, lang)},OR({col["sla_state"]}="{overdue}",{late}))'


def _late(col: dict[str, str], due: str, actual: str | None) -> str:
    pending = f'{col[actual]}="",' if actual else ""
    return f"AND({pending}ISNUMBER({col[due]}),{col[due]}<NOW())"


def _not_done(col: dict[str, str], lang: str) -> str:
    return ",".join(f'{col["status"]}<>"{schema.STATUSES[s](lang)}"' for s in sorted(schema.DONE_STATUSES))


def _row_colours(ws: Worksheet, letters: dict[str, str], lang: str) -> None:
    """Whole-row colours by SLA state; the first rule that holds wins, so red beats amber."""
    area = f"A2:{letters[schema.TICKET_COLUMNS[-1].key]}{DATA_ROWS}"
    col = {k: f"${v}2" for k, v in letters.items()}

    def state(code: str) -> str:
        return f'{col["sla_state"]}="{schema.SLA_STATES[code](lang)}"'

    formulas = {
        "overdue": _overdue(col, lang),
        "at_risk": f"AND({_not_done(col, lang)},{state('at_risk')})",
        "met": state("met"),
        "met_late": state("met_late"),
        "needs_fix": state("needs_fix"),
    }
    for code, formula in formulas.items():
        fill, text = style.STATE_COLOURS[code]
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[formula], stopIfTrue=True, font=font(lang, color=text),
            fill=PatternFill("solid", start_color=fill, end_color=fill)))


# -- Log, Reviews, FAQ, Archive Index ----------------------------------------------------------------

def _plain_sheet(ws: Worksheet, key: str, lang: str) -> None:
    columns = schema.SHEET_COLUMNS[key]
    _header(ws, columns, lang)
    _fill_header(ws, len(columns))
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}1"
    _date_validations(ws, columns, lang)
    letters = _letters(columns)
    if "faq_updated" in letters:
        _validation(ws, letters["faq_updated"], lang, "list", type="list", formula1=_yes_no(lang))


def _log_sheet(ws: Worksheet, lang: str) -> None:
    _plain_sheet(ws, "log", lang)
    kinds = _inline_list([k(lang) for k in schema.LOG_KINDS.values()])
    _validation(ws, _letters(schema.LOG_COLUMNS)["kind"], lang, "list", type="list", formula1=kinds)


# -- Settings ---------------------------------------------------------------------------------------

def _settings_sheet(ws: Worksheet, lang: str) -> None:
    rows = settings.template_rows(lang)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for r, row in enumerate(rows, start=1):
        key = schema.code_of(settings.SECTIONS, row[0]) if row else None
        if key is not None:
            ws.cell(row=r, column=1).font = font(lang, bold=True, size=12)
            for c in range(1, len(settings.SECTION_HEADERS[key]) + 1):
                ws.cell(row=r + 1, column=c).fill = HEADER_FILL
                ws.cell(row=r + 1, column=c).font = font(lang, bold=True)
    # The note sits beside the first section title: read_settings skips that row past column A.
    note = ws.cell(row=1, column=2, value=SETTINGS_NOTE(lang))
    note.font = font(lang, italic=True, color="7F7F7F")
    for i in range(len(settings.LISTS)):
        cell = ws.cell(row=1, column=settings.LIST_FIRST_COL + 1 + i)
        cell.fill, cell.font = HEADER_FILL, font(lang, bold=True)
        values = [row[settings.LIST_FIRST_COL + i] for row in rows if len(row) > settings.LIST_FIRST_COL + i]
        ws.column_dimensions[get_column_letter(settings.LIST_FIRST_COL + 1 + i)].width = style.fit_width("", values, 12)
    for c, letter in enumerate("ABCDE"):
        # Column A also holds the section titles; the note in B1 may run over the empty cells right of it.
        values = [row[c] for row in rows[1:] if len(row) > c and row[c] is not None]
        ws.column_dimensions[letter].width = style.fit_width("", values, 10, 40)


# -- Dashboard ---------------------------------------------------------------------------------------

KPI_COLOURS = {"overdue": style.STATE_COLOURS["overdue"], "at_risk": style.STATE_COLOURS["at_risk"]}
# The charts sit in a 2 x 2 grid from column N, each over a fixed block of cells (a two-cell anchor),
# so they keep their places beside the tables whatever font widths the application uses.
CHART_COLS, CHART_ROWS = 7, 20  # cells one chart covers
CHART_COL_WIDTH = 9
DASHBOARD_ROW_PT = 21
DASHBOARD_WIDTHS = (18, 17, 12, 12, 12, 10, 3, 16, 12, 12, 12, 12, 3)  # A..M; B also holds the update time
THIN = Side(style="thin", color="BFBFBF")


def _dashboard_sheet(ws: Worksheet, lang: str) -> None:
    ws.sheet_view.showGridLines = False
    ws.sheet_view.zoomScale = 90
    for (r, c), text in dashboard.static_cells(lang).items():
        ws.cell(row=r + 1, column=c + 1, value=text).font = font(lang)
    for (r, c), number_format in dashboard.number_formats().items():
        ws.cell(row=r + 1, column=c + 1).number_format = number_format
    title_row, title_col = dashboard.TITLE_CELL
    ws.cell(row=title_row + 1, column=title_col + 1).font = font(lang, bold=True, size=18)
    ws.cell(row=dashboard.UPDATED_CELL[0] + 1, column=1).font = font(lang, color="595959")
    ws.cell(row=dashboard.UPDATED_CELL[0] + 1, column=2).font = font(lang, color="595959")
    ws.cell(row=dashboard.UPDATED_CELL[0] + 1, column=2).alignment = Alignment(horizontal="left")
    for r in range(1, dashboard.LAST_ROW + 2):  # roomy rows: read from across the room, and 16:9 in shape
        ws.row_dimensions[r].height = DASHBOARD_ROW_PT
    ws.row_dimensions[title_row + 1].height = 30
    _kpi_tiles(ws, lang)
    for block in dashboard.LAYOUT.values():
        ws.cell(row=block.row + 1, column=block.col + 1).font = font(lang, bold=True, size=12)
        for c in range(len(block.headers)):
            cell = ws.cell(row=block.header_row + 1, column=block.col + c + 1)
            cell.fill, cell.font = HEADER_FILL, font(lang, bold=True)
            cell.alignment = Alignment(horizontal="left" if c == 0 else "center", vertical="center")
        for r in range(block.first_row, block.last_row + 1):
            for c in range(len(block.headers)):
                ws.cell(row=r + 1, column=block.col + c + 1).border = Border(bottom=THIN)
    _list_colours(ws, lang)
    for i, width in enumerate(DASHBOARD_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for i in range(dashboard.CHART_COL, dashboard.CHART_COL + 2 * CHART_COLS + 1):
        gap = i == dashboard.CHART_COL + CHART_COLS
        ws.column_dimensions[get_column_letter(i + 1)].width = 2 if gap else CHART_COL_WIDTH
    charts = (_compliance_chart(ws, lang), _backlog_chart(ws, lang), _workload_chart(ws, lang), _open_chart(ws, lang))
    for i, chart in enumerate(charts):
        col = dashboard.CHART_COL + (i % 2) * (CHART_COLS + 1)
        row = dashboard.KPI_ROW + (i // 2) * (CHART_ROWS + 1)
        chart.anchor = TwoCellAnchor(_from=AnchorMarker(col=col, row=row),
                                     to=AnchorMarker(col=col + CHART_COLS, row=row + CHART_ROWS))
        ws.add_chart(chart)


def _kpi_tiles(ws: Worksheet, lang: str) -> None:
    """Big numbers under their labels; overdue in red, at risk in amber, the row colours' tones."""
    for key, (r, c) in dashboard.KPI_CELLS.items():
        fill, text = KPI_COLOURS.get(key, ("DDEBF7", "1F3864"))
        label, value = ws.cell(row=r, column=c + 1), ws.cell(row=r + 1, column=c + 1)
        for cell in (label, value):
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
            cell.alignment = Alignment(horizontal="center", vertical="center")
        label.font = font(lang, bold=True, color=text)
        value.font = font(lang, bold=True, size=26, color=text)
    ws.row_dimensions[dashboard.KPI_ROW + 2].height = 44


def _list_colours(ws: Worksheet, lang: str) -> None:
    """The overdue list's text red and the about-to-breach list's amber, as the rows of Tickets."""
    for key, state in (("overdue", "overdue"), ("breach_soon", "at_risk")):
        block = dashboard.LAYOUT[key]
        for r in range(block.first_row, block.last_row + 1):
            for c in range(len(block.headers)):
                ws.cell(row=r + 1, column=block.col + c + 1).font = font(lang, color=style.STATE_COLOURS[state][1])


def _bar(kind: str, block: dashboard.Block, lang: str, title: str | None = None) -> BarChart:
    chart = BarChart()
    chart.type = kind
    chart.title = title or block.title(lang)
    chart.gapWidth = 60
    style.chart_text(chart, lang)
    style.every_category(chart.x_axis)
    chart.y_axis.delete = False
    style.light_gridlines(chart.y_axis)
    return chart


def _ref(ws: Worksheet, block: dashboard.Block, col: int, header: bool = False) -> Reference:
    """Column ``col`` of the block's body (0-based within the block), with its header when asked."""
    return Reference(ws, min_col=block.col + col + 1, min_row=(block.header_row if header else block.first_row) + 1,
                     max_row=block.last_row + 1)


def _compliance_chart(ws: Worksheet, lang: str) -> BarChart:
    """This month's compliance per priority against the target line (达标目标 in Settings)."""
    block = dashboard.LAYOUT["compliance"]
    chart = _bar("col", block, lang)
    chart.add_data(_ref(ws, block, 3, header=True), titles_from_data=True)
    chart.set_categories(_ref(ws, block, 0))
    style.colour(chart.series[0], style.STRONG["met"])
    style.value_labels(chart, "0%")
    style.percent_axis(chart.y_axis)
    target = LineChart()
    target.add_data(_ref(ws, block, 4, header=True), titles_from_data=True)
    style.dashed(target.series[0], style.TARGET)
    chart += target
    chart.legend.position = "b"
    return chart


def _backlog_chart(ws: Worksheet, lang: str) -> BarChart:
    return _count_bars(ws, "backlog", "col", lang)


def _workload_chart(ws: Worksheet, lang: str) -> BarChart:
    chart = _count_bars(ws, "workload", "bar", lang)
    chart.x_axis.scaling.orientation = "maxMin"  # busiest on top
    chart.y_axis.crosses = "max"  # ... and the counts along the bottom
    return chart


def _count_bars(ws: Worksheet, key: str, direction: str, lang: str) -> BarChart:
    """One series of counts over a dashboard block: labels in its first column, counts in its second."""
    block = dashboard.LAYOUT[key]
    chart = _bar(direction, block, lang)
    chart.add_data(_ref(ws, block, 1), titles_from_data=False)
    chart.set_categories(_ref(ws, block, 0))
    style.colour(chart.series[0], style.BLUE)
    style.value_labels(chart)
    style.count_axis(chart.y_axis)
    chart.legend = None
    return chart


def _open_chart(ws: Worksheet, lang: str) -> BarChart:
    """Open tickets per priority, stacked by status (the grid without its total row and column)."""
    block = dashboard.LAYOUT["grid"]
    chart = _bar("col", block, lang)
    chart.grouping, chart.overlap = "stacked", 100
    statuses = len(dashboard.OPEN_STATUSES)
    data = Reference(ws, min_col=2, max_col=1 + statuses, min_row=block.header_row + 1,
                     max_row=block.first_row + len(schema.PRIORITIES))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=block.first_row + 1,
                                   max_row=block.first_row + len(schema.PRIORITIES)))
    for series, rgb in zip(chart.series, style.STATUS_BLUES):
        style.colour(series, rgb)
    style.count_axis(chart.y_axis)
    chart.legend.position = "b"
    return chart
