"""The template `init` writes: sheets, headers, settings, validations, row colours, dashboard."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.formula.translate import Translator
from openpyxl.utils import get_column_letter

from libreoffice import convert, needs_libreoffice
from workbook.core import dashboard
from workbook.core import schema
from workbook.core import settings
from workbook.core.dashboard import DashboardRow
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
        assert dim.width == column.width
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
    assert len(ws._charts) == 3
    grid = dashboard.LAYOUT["grid"]
    first_series = ws._charts[0].series[0]
    sheet = f"'{schema.SHEETS['dashboard'](lang)}'"
    assert first_series.val.numRef.f == f"{sheet}!$B${grid.first_row + 1}:$B${grid.first_row + 4}"
    assert first_series.tx.strRef.f == f"{sheet}!B{grid.header_row + 1}"


# -- dashboard figures ------------------------------------------------------------------------------

NOW = datetime(2024, 5, 20, 15, 0)


def row(number, priority, status, module, assignee, reported, sla_state, due=None, closed=None, resolved=None):
    return DashboardRow(number, priority, status, module, assignee, reported, closed, resolved, sla_state, due)


TICKETS = [
    row("20240520-001", "P1", "new", "M1", None, datetime(2024, 5, 20, 9), "overdue", datetime(2024, 5, 20, 9, 15)),
    row("20240520-002", "P1", "in_progress", "M2", "张三", datetime(2024, 5, 20, 10), "at_risk",
        datetime(2024, 5, 20, 16)),
    row("20240519-001", "P2", "waiting", "M3", "张三", datetime(2024, 5, 19, 10), "overdue",
        datetime(2024, 5, 19, 18)),
    row("20240518-001", "P3", "assigned", "M4", "李四", datetime(2024, 5, 18, 10), "on_track",
        datetime(2024, 5, 22, 10)),
    row("20240515-001", "P4", "in_progress", "M5", "李四", datetime(2024, 5, 15, 10), "overdue"),  # late response
    row(None, None, "new", "M6", "王五", datetime(2024, 5, 20, 14), "on_track"),  # unreadable priority
    row("20240510-001", "P2", "closed", "M7", "李四", datetime(2024, 5, 10, 9), "met",
        closed=datetime(2024, 5, 20, 11), resolved=datetime(2024, 5, 10, 15)),
    row("20240430-001", "P1", "resolved", "M8", "张三", datetime(2024, 4, 30, 9), "met_late",
        resolved=datetime(2024, 5, 2, 9)),
    row("20240425-001", "P2", "closed", "M9", "王五", datetime(2024, 4, 25, 9), "met",
        closed=datetime(2024, 5, 1, 9), resolved=datetime(2024, 4, 28, 9)),  # resolved in April
]


def block_rows(cells, name, first_col, end_col):
    block = dashboard.LAYOUT[name]
    return [[cells[(r, c)] for c in range(first_col, end_col)] for r in range(block.first_row, block.last_row + 1)]


def test_figures_by_hand():
    cells = dashboard.figures(TICKETS, NOW, "zh")
    assert cells[dashboard.UPDATED_CELL] == NOW
    #  new assigned in_progress waiting total
    assert block_rows(cells, "grid", 1, 6) == [
        [1, 0, 1, 0, 2],  # P1
        [0, 0, 0, 1, 1],  # P2
        [0, 1, 0, 0, 1],  # P3
        [0, 0, 1, 0, 1],  # P4
        [1, 1, 2, 1, 5],  # the unreadable priority counts only as open below
    ]
    kpi = dashboard.LAYOUT["kpi"].first_row
    # overdue, at risk, new today, closed today, open
    assert [cells[(kpi + i, 1)] for i in range(5)] == [3, 1, 3, 1, 6]
    # done this month, met, rate: P1..P4 and total
    assert block_rows(cells, "compliance", 1, 4) == [
        [1, 0, 0.0], [1, 1, 1.0], [0, 0, None], [0, 0, None], [2, 1, 0.5]]
    assert block_rows(cells, "overdue", 0, 4) == [
        ["20240519-001", "M3", "张三", datetime(2024, 5, 19, 18)],
        ["20240520-001", "M1", None, datetime(2024, 5, 20, 9, 15)],
        ["20240515-001", "M5", "李四", None],
        [None] * 4, [None] * 4,
    ]
    assert block_rows(cells, "workload", 0, 2)[:5] == [
        ["张三", 2], ["李四", 2], ["王五", 1], ["（未分派）", 1], [None, None]]


def test_figures_never_overwrite_labels():
    cells = dashboard.figures(TICKETS, NOW, "en")
    assert not set(cells) & set(dashboard.static_cells("en"))
    assert set(dashboard.number_formats()) <= set(cells)


def test_figures_of_no_tickets():
    cells = dashboard.figures([], NOW, "en")
    compliance = dashboard.LAYOUT["compliance"]
    assert cells[(compliance.last_row, 3)] is None
    assert all(v is None for (r, c), v in cells.items() if r >= dashboard.LAYOUT["overdue"].first_row)


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
