"""The template `init` writes: sheets, headers, settings, validations, row colours, dashboard."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter

from tests.support.libreoffice import convert, needs_libreoffice
from workbook.core import dashboard
from workbook.core import schema
from workbook.core import settings
from workbook.core.dashboard import DashboardRow, Deadline
from workbook.author.style import FONT_NAMES, text_width
from workbook.xlsx.reader import read_book
from workbook.author.template import DATA_ROWS, DATETIME_FORMAT, build_template

LANGS = pytest.mark.parametrize("lang", schema.LANGS)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """One template per language, built once for the module."""
    out = {}
    for lang in schema.LANGS:
        path = tmp_path_factory.mktemp(lang) / f"tracker-{lang}.xlsx"
        build_template(path, lang)
        out[lang] = path
    return out


def letter(key: str) -> str:
    return get_column_letter([c.key for c in schema.TICKET_COLUMNS].index(key) + 1)


def rows(col: str) -> str:
    return f"{col}2:{col}1048576"  # validations cover the whole column: rows typed below any end too


# -- read back with calamine ----------------------------------------------------------------------

@LANGS
def test_sheets_and_headers(books, lang):
    book = read_book(books[lang])
    assert list(book.sheets) == [label(lang) for label in schema.SHEETS.values()]
    for key, columns in schema.SHEET_COLUMNS.items():
        assert book.sheet(key).rows[0] == [c.header(lang) for c in columns]
        assert len(book.sheet(key).rows) == 1  # no stray data rows for readers to trip on


@LANGS
def test_settings_read_back_as_defaults(books, lang):
    found = settings.read_settings(read_book(books[lang]))
    lists = {key: tuple(v(lang) for v in values) for key, (_, values) in settings.LISTS.items()}
    expected = dataclasses.replace(settings.defaults(), lists=lists)
    assert found == expected


# -- structure, with openpyxl ----------------------------------------------------------------------

@LANGS
def test_tickets_table_view_and_formats(books, lang):
    ws = load_workbook(books[lang])[schema.SHEETS["tickets"](lang)]
    last = get_column_letter(len(schema.TICKET_COLUMNS))
    table = ws.tables["Tickets"]
    assert table.ref == f"A1:{last}2"
    assert table.tableStyleInfo.showRowStripes
    assert ws.freeze_panes == "B2"
    for i, column in enumerate(schema.TICKET_COLUMNS, start=1):
        dim = ws.column_dimensions[get_column_letter(i)]
        # at least the schema's width, and the header on at most two lines in either language
        assert dim.width >= column.width and dim.width >= text_width(column.header(lang)) / 2, column.key
        if column.kind is schema.Kind.DATETIME:
            assert dim.number_format == DATETIME_FORMAT, column.key
        assert (ws.cell(row=1, column=i).comment is not None) == column.computed, column.key


@LANGS
def test_ticket_validations(books, lang):
    ws = load_workbook(books[lang])[schema.SHEETS["tickets"](lang)]
    found = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    source = f"'{schema.SHEETS['settings'](lang)}'!"
    def grows(col: str) -> str:  # the list's filled entries, however many
        return f"OFFSET({source}${col}$2,0,0,MAX(1,COUNTA({source}${col}$2:${col}$1001)),1)"

    expected_lists = {
        "priority": '"P1,P2,P3,P4"',
        "status": '"' + ",".join(s(lang) for s in schema.STATUSES.values()) + '"',
        "backup_done": f'"{schema.YES(lang)},{schema.NO(lang)}"',
        "channel": grows("H"),
        "category": grows("I"),
        "verification": grows("J"),
        "department": grows("K"),
        "lead_department": grows("K"),
        "assignee": grows("L"),
    }
    for key, formula in expected_lists.items():
        dv = found[rows(letter(key))]
        assert (dv.type, dv.formula1) == ("list", formula), key
        assert dv.error
    # new colleagues and departments may not be listed yet: those lists offer, never question
    assert {k for k in expected_lists if not found[rows(letter(k))].showErrorMessage} == \
        {"department", "lead_department", "assignee"}
    satisfaction = found[rows(letter("satisfaction"))]
    assert (satisfaction.type, satisfaction.operator, satisfaction.formula1, satisfaction.formula2) == \
        ("whole", "between", "1", "5")
    for column in schema.TICKET_COLUMNS:
        if column.kind is schema.Kind.DATETIME and not column.computed:
            dv = found[rows(letter(column.key))]
            assert (dv.type, dv.operator, dv.formula1) == ("date", "greaterThanOrEqual", "DATE(2000,1,1)")
    coded = {c.key for c in schema.TICKET_COLUMNS if c.kind is schema.Kind.CODE and not c.computed}
    assert coded <= set(expected_lists)


@LANGS
def test_row_colours(books, lang):
    ws = load_workbook(books[lang])[schema.SHEETS["tickets"](lang)]
    (area, rules), = [(str(cf.sqref), cf.rules) for cf in ws.conditional_formatting]
    assert area == f"A2:{get_column_letter(len(schema.TICKET_COLUMNS))}{DATA_ROWS}"
    assert [r.priority for r in rules] == [1, 2, 3, 4, 5] and all(r.stopIfTrue for r in rules)
    red, amber, green, grey, violet = (r.formula[0] for r in rules)
    state = f"${letter('sla_state')}2"
    assert f'{state}="{schema.SLA_STATES["overdue"](lang)}"' in red
    assert f'${letter("status")}2<>"{schema.STATUSES["closed"](lang)}"' in red
    for due, done in (("response_due", "first_response_at"), ("resolution_due", "resolved_at")):
        assert f'AND(${letter(done)}2="",ISNUMBER(${letter(due)}2),${letter(due)}2<NOW())' in red
    assert f"ISNUMBER(${letter('next_update_due')}2),${letter('next_update_due')}2<NOW()" in red
    assert f'{state}="{schema.SLA_STATES["at_risk"](lang)}"' in amber
    assert green == f'{state}="{schema.SLA_STATES["met"](lang)}"'
    assert grey == f'{state}="{schema.SLA_STATES["met_late"](lang)}"'
    assert violet == f'{state}="{schema.SLA_STATES["needs_fix"](lang)}"'
    assert rules[4].dxf.fill.fgColor.rgb.endswith("E4DFEC")
    assert rules[0].dxf.fill.fgColor.rgb.endswith("FFC7CE")


@LANGS
def test_other_sheets(books, lang):
    wb = load_workbook(books[lang])
    log = wb[schema.SHEETS["log"](lang)]
    kinds = '"' + ",".join(k(lang) for k in schema.LOG_KINDS.values()) + '"'
    assert {(str(dv.sqref), dv.formula1) for dv in log.data_validations.dataValidation} >= {("D2:D1048576", kinds)}
    assert log.column_dimensions["B"].number_format == DATETIME_FORMAT
    for key, columns in schema.SHEET_COLUMNS.items():
        ws = wb[schema.SHEETS[key](lang)]
        assert ws.freeze_panes in ("A2", "B2")
        if key != "tickets":
            assert ws.auto_filter.ref == f"A1:{get_column_letter(len(columns))}1"
    assert wb.calculation.fullCalcOnLoad
    assert wb.properties.title


@LANGS
def test_dashboard_labels_and_charts(books, lang):
    ws = load_workbook(books[lang])[schema.SHEETS["dashboard"](lang)]
    for (r, c), text in dashboard.static_cells(lang).items():
        assert ws.cell(row=r + 1, column=c + 1).value == text
    assert len(ws._charts) == 4
    sheet = f"'{schema.SHEETS['dashboard'](lang)}'"
    compliance, backlog, workload, grid = ws._charts
    block = dashboard.LAYOUT["compliance"]
    assert compliance.series[0].val.numRef.f == f"{sheet}!$K${block.first_row + 1}:$K${block.last_row + 1}"
    target = compliance._charts[1].series[0]  # the target line, from the 目标 column
    assert target.val.numRef.f == f"{sheet}!$L${block.first_row + 1}:$L${block.last_row + 1}"
    assert target.spPr.ln.prstDash == "dash"
    assert grid.series[0].val.numRef.f == f"{sheet}!$B${dashboard.LAYOUT['grid'].first_row + 1}:" \
                                          f"$B${dashboard.LAYOUT['grid'].first_row + 4}"
    for chart in (backlog, workload, grid):  # counts: whole numbers, every category labelled
        assert chart.y_axis.number_format.formatCode == "0" and chart.y_axis.majorUnit == 1
        assert chart.x_axis.tickLblSkip == 1
    assert backlog.dataLabels.showVal and workload.dataLabels.showVal
    # the key figures in the row colours' red and amber
    overdue, at_risk = (ws.cell(row=r + 1, column=c + 1) for r, c in
                        (dashboard.KPI_CELLS["overdue"], dashboard.KPI_CELLS["at_risk"]))
    assert overdue.fill.start_color.rgb.endswith("FFC7CE") and overdue.font.color.rgb.endswith("9C0006")
    assert at_risk.fill.start_color.rgb.endswith("FFEB9C")
    assert overdue.font.name == FONT_NAMES[lang] and overdue.font.b


# -- dashboard figures ------------------------------------------------------------------------------

NOW = datetime(2024, 5, 20, 15, 0)


def row(number, priority, status, module, assignee, reported, sla_state, due=None, closed=None, resolved=None,
        deadlines=(), assigned=None, satisfaction=None):
    return DashboardRow(number, priority, status, module, assignee, reported, closed, resolved, sla_state, due,
                        tuple(deadlines), assigned, satisfaction)


TICKETS = [
    row("20240520-001", "P1", "new", "M1", None, datetime(2024, 5, 20, 9), "overdue", datetime(2024, 5, 20, 9, 15),
        deadlines=[Deadline("response", datetime(2024, 5, 20, 9, 15)),
                   Deadline("resolution", datetime(2024, 5, 20, 16), at_risk=True)]),
    row("20240520-002", "P1", "in_progress", "M2", "张三", datetime(2024, 5, 20, 10), "at_risk",
        datetime(2024, 5, 20, 16), deadlines=[Deadline("resolution", datetime(2024, 5, 20, 16, 30), at_risk=True),
                                              Deadline("update", datetime(2024, 5, 20, 17))]),
    row("20240519-001", "P2", "waiting", "M3", "张三", datetime(2024, 5, 19, 10), "overdue",
        datetime(2024, 5, 19, 18), deadlines=[Deadline("update", datetime(2024, 5, 19, 18))]),
    row("20240518-001", "P3", "assigned", "M4", "李四", datetime(2024, 5, 18, 10), "on_track",
        datetime(2024, 5, 22, 10), deadlines=[Deadline("resolution", datetime(2024, 5, 22, 10))]),
    row("20240515-001", "P4", "in_progress", "M5", "李四", datetime(2024, 5, 15, 10), "overdue"),  # late response
    row(None, None, "new", "M6", "王五", datetime(2024, 5, 20, 14), "on_track"),  # unreadable priority
    row("20240510-001", "P2", "closed", "M7", "李四", datetime(2024, 5, 10, 9), "met",
        closed=datetime(2024, 5, 20, 11), resolved=datetime(2024, 5, 10, 15), assigned=datetime(2024, 5, 10, 9, 30),
        satisfaction=4),
    row("20240430-001", "P1", "resolved", "M8", "张三", datetime(2024, 4, 30, 9), "met_late",
        resolved=datetime(2024, 5, 2, 9), assigned=datetime(2024, 4, 30, 10), satisfaction=2),
    row("20240425-001", "P2", "closed", "M9", "王五", datetime(2024, 4, 25, 9), "met",
        closed=datetime(2024, 5, 1, 9), resolved=datetime(2024, 4, 28, 9), assigned=datetime(2024, 4, 25, 9, 20),
        satisfaction=5),  # resolved in April
]


def block_rows(cells, name, first_col, end_col):
    block = dashboard.LAYOUT[name]
    return [[cells[(r, block.col + c)] for c in range(first_col, end_col)]
            for r in range(block.first_row, block.last_row + 1)]


def test_figures_by_hand():
    cells = dashboard.figures(TICKETS, NOW, "zh", target=0.9)
    assert cells[dashboard.UPDATED_CELL] == NOW
    #  new assigned in_progress waiting total
    assert block_rows(cells, "grid", 1, 6) == [
        [1, 0, 1, 0, 2],  # P1
        [0, 0, 0, 1, 1],  # P2
        [0, 1, 0, 0, 1],  # P3
        [0, 0, 1, 0, 1],  # P4
        [1, 1, 2, 1, 5],  # the unreadable priority counts only as open below
    ]
    # overdue, at risk, new today, closed today, open
    assert [cells[dashboard.KPI_CELLS[k]] for k in dashboard.KPIS] == [3, 1, 3, 1, 6]
    # done this month, met, rate, target: P1..P4 and total
    assert block_rows(cells, "compliance", 1, 5) == [
        [1, 0, 0.0, 0.9], [1, 1, 1.0, 0.9], [0, 0, None, 0.9], [0, 0, None, 0.9], [2, 1, 0.5, 0.9]]
    # about to breach: deadlines ahead past 预警阈值, soonest first, with the time left at 15:00
    assert block_rows(cells, "breach_soon", 0, 4)[:3] == [
        ["20240520-001", "解决", "1小时", None],
        ["20240520-002", "解决", "1小时30分", "张三"],
        [None] * 4]
    # overdue: deadlines passed and pending, longest first, with how long ago; the late response of
    # 20240515-001 is done already (no pending deadline), so it is not in the list
    assert block_rows(cells, "overdue", 0, 4)[:3] == [
        ["20240519-001", "进展", "21小时", "张三"],
        ["20240520-001", "响应", "5小时45分", None],
        [None] * 4]
    # this month (May: 20240510-001 and 20240430-001 done) against April (20240425-001)
    done, mtta, mttr, compliance, satisfaction = block_rows(cells, "months", 1, 4)
    assert done == [2, 1, 1]
    assert mtta == [45.0, 20.0, 25.0]  # medians of 30 and 60 min; 20 min
    assert mttr == [(6 + 48) / 2, 72.0, (27 - 72) / 1]  # 6 h and 48 h; 72 h
    assert compliance == [0.5, 1.0, -0.5]
    assert satisfaction == [3.0, 5.0, -2.0]
    # backlog by age at 15:00 on 5-20 (<1 d, 1–3 d, 3–7 d, 7–30 d, >30 d): reported 5-20 09/10/14,
    # 5-19 10:00, 5-18 10:00, 5-15 10:00
    assert [r[0] for r in block_rows(cells, "backlog", 1, 2)] == [3, 2, 1, 0, 0]
    assert block_rows(cells, "workload", 0, 2)[:5] == [
        ["张三", 2], ["李四", 2], ["王五", 1], ["（未分派）", 1], [None, None]]


def test_durations_read_as_a_wall_screen_shows_them():
    from datetime import timedelta
    assert dashboard.duration(timedelta(days=2, hours=3, minutes=5), "zh") == "2天3小时"
    assert dashboard.duration(timedelta(minutes=59), "en") == "59 min"
    assert dashboard.duration(timedelta(hours=1), "en") == "1 h"
    assert dashboard.duration(timedelta(0), "zh") == "0分"


def test_figures_never_overwrite_labels():
    cells = dashboard.figures(TICKETS, NOW, "en")
    assert not set(cells) & set(dashboard.static_cells("en"))
    assert set(dashboard.number_formats()) <= set(cells)


def test_figures_of_no_tickets():
    cells = dashboard.figures([], NOW, "en")
    compliance = dashboard.LAYOUT["compliance"]
    assert cells[(compliance.last_row, compliance.col + 3)] is None
    for name in ("breach_soon", "overdue", "workload"):
        assert all(v is None for row in block_rows(cells, name, 0, 2) for v in row)


# -- LibreOffice as a second reader -----------------------------------------------------------------

def validation_rules(path, sheet):
    ws = load_workbook(path)[sheet]
    return {(dv.type, (dv.formula1 or "").replace("'", ""), str(dv.sqref).split(":")[0])
            for dv in ws.data_validations.dataValidation}


@pytest.mark.libreoffice
@needs_libreoffice
@LANGS
def test_libreoffice_opens_and_keeps_validations(books, lang, tmp_path):
    xlsx = convert(books[lang], "xlsx", tmp_path / "xlsx")
    pdf = convert(books[lang], "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    tickets = schema.SHEETS["tickets"](lang)
    assert validation_rules(xlsx, tickets) == validation_rules(books[lang], tickets)
    book = read_book(xlsx)
    assert book.sheet("tickets").rows[0] == [c.header(lang) for c in schema.TICKET_COLUMNS]
    assert settings.read_settings(book) == settings.read_settings(read_book(books[lang]))
    assert "Tickets" in load_workbook(xlsx)[tickets].tables


@pytest.mark.libreoffice
@needs_libreoffice
def test_libreoffice_evaluates_the_overdue_rule(books, tmp_path):
    """The red rule's formula, computed by a real spreadsheet engine on typed rows."""
    lang = "zh"
    wb = load_workbook(books[lang])
    ws = wb[schema.SHEETS["tickets"](lang)]
    red = next(iter(ws.conditional_formatting)).rules[0].formula[0]
    past, future = datetime(2001, 1, 1), datetime(2999, 1, 1)
    cases = [  # (cells by key, expected)
        ({"status": "处理中", "response_due": past}, True),
        ({"status": "处理中", "response_due": past, "first_response_at": past}, False),  # responded in time
        ({"status": "已解决", "sla_state": "超时", "resolution_due": past}, False),  # done
        ({"status": "处理中", "sla_state": "超时"}, True),  # breached earlier, nothing pending
        ({"status": "处理中", "next_update_due": future}, False),
        ({"status": "新建", "resolution_due": past}, True),
        ({}, False),  # an empty row
    ]
    probe = len(schema.TICKET_COLUMNS) + 2  # a spare column right of the table
    keys = [c.key for c in schema.TICKET_COLUMNS]
    for i, (values, _) in enumerate(cases, start=2):
        for key, value in values.items():
            ws.cell(row=i, column=keys.index(key) + 1, value=value)
        ws.cell(row=i, column=probe, value="=" + Translator("=" + red, origin="A2").translate_formula(f"A{i}")[1:])
    typed = tmp_path / "typed.xlsx"
    wb.save(typed)
    computed = read_book(convert(typed, "xlsx", tmp_path / "out")).sheet("tickets")
    assert [computed.value(i, probe - 1) for i in range(1, len(cases) + 1)] == [want for _, want in cases]


@LANGS
def test_compliance_target_is_a_setting(books, lang):
    """达标目标 / Compliance target: a percentage in Settings; the dashboard's and report's target line."""
    book = read_book(books[lang])
    sheet = book.sheet("settings")
    r = next(i for i, row in enumerate(sheet.rows) if row and row[0] == settings.PARAMS["compliance_target"](lang))
    assert sheet.rows[r][1] == "95%"
    sheet.rows[r][1] = "90%"
    assert settings.read_settings(book).compliance_target == pytest.approx(0.9)
    sheet.rows[r][1] = "150%"
    with pytest.raises(settings.InputError, match=rf"{sheet.name}!B{r + 1}"):
        settings.read_settings(book)
