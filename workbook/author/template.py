"""Author a new tracker workbook (``track-xls init``) with openpyxl.

openpyxl writes new workbooks only: loading and saving an existing one drops shapes, buttons and
sparklines, so existing workbooks are written by the file engine instead. Everything a user types
later must look right without the tool: validations, number formats and row colours reach
:data:`DATA_ROWS` rows below the header, and the row colours compare due times with ``NOW()``.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..core import dashboard
from ..core.cells import MAX_ROWS

from ..core import schema

from ..core import settings
from ..core.schema import Kind, Label

DATA_ROWS = 5000  # last row that validations and row colours cover; the file engine extends them
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
TABLE_STYLE = "TableStyleMedium2"

TITLE = Label("工单跟踪表", "Support Ticket Tracker")
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

WHITE_BOLD = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
COMPUTED_FILL = PatternFill("solid", start_color="808080", end_color="808080")
ROW_COLOURS = {  # SLA state -> (fill, font colour), Excel's own light fills with dark text
    "overdue": ("FFC7CE", "9C0006"),
    "at_risk": ("FFEB9C", "9C5700"),
    "met": ("C6EFCE", "006100"),
    "met_late": ("E7E6E6", "595959"),
    "needs_fix": ("E4DFEC", "5B2C6F"),  # violet: a row to fix (待补全), unlike any SLA colour
}


def build_template(path: str | Path, lang: str = "zh") -> None:
    """Write a new, empty tracker workbook to ``path`` with headers in ``lang`` ("zh" or "en")."""
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {key: wb.create_sheet(label(lang)) for key, label in schema.SHEETS.items()}
    _tickets_sheet(sheets["tickets"], lang)
    _log_sheet(sheets["log"], lang)
    for key in ("reviews", "faq", "archive_index"):
        _plain_sheet(sheets[key], key, lang)
    _settings_sheet(sheets["settings"], lang)
    _dashboard_sheet(sheets["dashboard"], lang)
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
    for key in ("log", "reviews", "faq", "dashboard", "settings", "archive_index"):
        _fit_to_width(sheets[key])
    wb.active = 0
    wb.properties.title = TITLE(lang)
    wb.properties.creator = "track-xls"
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
        cell.font = Font(bold=True)
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = column.width
        if column.kind is Kind.DATETIME:
            dim.number_format = DATETIME_FORMAT
        elif column.kind is Kind.DATE:
            dim.number_format = DATE_FORMAT
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"


def _fill_header(ws: Worksheet, count: int) -> None:
    for i in range(1, count + 1):
        ws.cell(row=1, column=i).fill = HEADER_FILL


def _fit_to_width(ws: Worksheet) -> None:
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # 0: as many pages down as needed


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
            cell.fill, cell.font = COMPUTED_FILL, WHITE_BOLD
            cell.comment = Comment(COMPUTED_NOTE(lang), "track-xls", width=220, height=60)
    last = letters[columns[-1].key]
    # One empty data row: a table needs a body, and typed rows below it join the table in Excel.
    table = Table(displayName="Tickets", ref=f"A1:{last}2")
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    ws.add_table(table)
    _ticket_validations(ws, letters, lang)
    _row_colours(ws, letters, lang)
    ws.print_title_rows = "1:1"  # 35 columns print across pages: repeat the header on each


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
        fill, font = ROW_COLOURS[code]
        ws.conditional_formatting.add(area, FormulaRule(
            formula=[formula], stopIfTrue=True, font=Font(color=font),
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
            ws.cell(row=r, column=1).font = Font(bold=True, size=12)
            for c in range(1, len(settings.SECTION_HEADERS[key]) + 1):
                ws.cell(row=r + 1, column=c).fill = HEADER_FILL
                ws.cell(row=r + 1, column=c).font = Font(bold=True)
    # The note sits beside the first section title: read_settings skips that row past column A.
    note = ws.cell(row=1, column=2, value=SETTINGS_NOTE(lang))
    note.font = Font(italic=True, color="7F7F7F")
    for i in range(len(settings.LISTS)):
        cell = ws.cell(row=1, column=settings.LIST_FIRST_COL + 1 + i)
        cell.fill, cell.font = HEADER_FILL, Font(bold=True)
        ws.column_dimensions[get_column_letter(settings.LIST_FIRST_COL + 1 + i)].width = 16
    for letter, width in zip("ABCDE", (28, 14, 10, 12, 12)):
        ws.column_dimensions[letter].width = width


# -- Dashboard --------------------------------------------------------------------------------------

def _dashboard_sheet(ws: Worksheet, lang: str) -> None:
    ws.sheet_view.showGridLines = False
    for (r, c), text in dashboard.static_cells(lang).items():
        ws.cell(row=r + 1, column=c + 1, value=text)
    for (r, c), number_format in dashboard.number_formats().items():
        ws.cell(row=r + 1, column=c + 1).number_format = number_format
    title_row, title_col = dashboard.TITLE_CELL
    ws.cell(row=title_row + 1, column=title_col + 1).font = Font(bold=True, size=16)
    for block in dashboard.LAYOUT.values():
        ws.cell(row=block.row + 1, column=1).font = Font(bold=True, size=12)
        for c in range(1, len(block.headers) + 1):
            cell = ws.cell(row=block.header_row + 1, column=c)
            cell.fill, cell.font = HEADER_FILL, Font(bold=True)
    for letter, width in zip("ABCDEF", (24, 18, 14, 17, 14, 12)):  # B and D hold date-times
        ws.column_dimensions[letter].width = width
    _open_chart(ws, lang)
    _compliance_chart(ws, lang)
    _workload_chart(ws, lang)


def _chart(kind: str, block: dashboard.Block, lang: str) -> BarChart:
    chart = BarChart()
    chart.type = kind
    chart.title = block.title(lang)
    chart.width, chart.height = 16, 7
    # openpyxl 3.1 marks axes deleted unless told otherwise, and Excel then draws none.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    return chart


def _anchor(ws: Worksheet, chart: BarChart, block: dashboard.Block) -> None:
    ws.add_chart(chart, f"{get_column_letter(dashboard.CHART_COL + 1)}{block.row + 1}")


def _open_chart(ws: Worksheet, lang: str) -> None:
    """Open tickets per priority, stacked by status (the grid without its total row and column)."""
    block = dashboard.LAYOUT["grid"]
    chart = _chart("col", block, lang)
    chart.grouping, chart.overlap = "stacked", 100
    statuses = len(dashboard.OPEN_STATUSES)
    priorities = len(schema.PRIORITIES)
    data = Reference(ws, min_col=2, max_col=1 + statuses, min_row=block.header_row + 1,
                     max_row=block.first_row + priorities)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=block.first_row + 1, max_row=block.first_row + priorities))
    _anchor(ws, chart, block)


def _compliance_chart(ws: Worksheet, lang: str) -> None:
    block = dashboard.LAYOUT["compliance"]
    chart = _chart("col", block, lang)
    rows = len(schema.PRIORITIES) + 1  # P1..P4 and the total
    chart.add_data(Reference(ws, min_col=4, min_row=block.header_row + 1, max_row=block.first_row + rows),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=block.first_row + 1, max_row=block.first_row + rows))
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.y_axis.number_format = "0%"
    chart.legend = None
    _anchor(ws, chart, block)


def _workload_chart(ws: Worksheet, lang: str) -> None:
    block = dashboard.LAYOUT["workload"]
    chart = _chart("bar", block, lang)
    chart.add_data(Reference(ws, min_col=2, min_row=block.header_row + 1, max_row=block.last_row + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=block.first_row + 1, max_row=block.last_row + 1))
    chart.x_axis.scaling.orientation = "maxMin"  # busiest on top
    chart.legend = None
    _anchor(ws, chart, block)
