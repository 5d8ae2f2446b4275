"""What a reader of the printout sees: LibreOffice prints the demo's workbooks to PDF, poppler reads
the pages back (pdftotext, pdffonts), and the report's page grid is checked on the workbook itself.

Every page's footer names its sheet (left) and says page x of y (right), so a page is told apart by
its last line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from tests.support.libreoffice import convert, needs_libreoffice
from workbook.app.demo import make_demo, make_demo_tracker
from workbook.author import report_book, style
from workbook.core import schema
from workbook.core.archive import SUMMARY_SHEET

NOW = datetime(2026, 11, 20, 10, 0)
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                                   reason="poppler-utils (pdftotext, pdffonts) not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo: a tracker with archives and last month's report; and a 300-ticket tracker not archived."""
    folder = tmp_path_factory.mktemp("demo")
    make_demo(folder / "demo", "zh", 150, NOW)
    big, _ = make_demo_tracker(folder / "big", "zh", 300, NOW)
    return folder / "demo", big


def pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=120).stdout
    return [page for page in text.split("\f") if page.strip()]


# the sheet's name leftmost, page x of y rightmost; a chart's axis label may print between them
FOOTER = re.compile(r"^(\S+)\s.*(?:第 \d+ 页，共 \d+ 页|Page \d+ of \d+)\s*$", re.M)


def sheet_pages(all_pages: list[str], sheet: str) -> list[str]:
    """The pages whose footer names ``sheet`` (chart text may print below the footer's line)."""
    return [p for p in all_pages if (m := FOOTER.search(p)) and m.group(1) == sheet]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_one_page_wide(found: list[str], columns: tuple[schema.Column, ...], lang: str = "zh") -> None:
    """Every page holds the first and the last column's header: nothing printed on a page to the right,
    and the header row repeated on every page."""
    first, last = columns[0].header(lang), columns[-1].header(lang)
    for i, page in enumerate(found, start=1):
        flat = squeezed(page)
        assert first in flat and last in flat, f"page {i} of {len(found)}"


@needs_libreoffice
@needs_poppler
@pytest.mark.libreoffice
def test_tickets_print_one_page_wide_with_the_header_on_every_page(demo, tmp_path):
    _, big = demo
    found = sheet_pages(pages(convert(big, "pdf", tmp_path)), schema.SHEETS["tickets"].zh)
    assert len(found) >= 2  # 300 tickets: page 2 exists, and repeats the header
    assert_one_page_wide(found, schema.TICKET_COLUMNS)
    assert re.search(r"\d{8}-\d{3}", found[1])  # ticket numbers on page 2, under the repeated header


@needs_libreoffice
@needs_poppler
@pytest.mark.libreoffice
def test_an_archive_prints_one_page_wide_with_the_header_on_every_page(demo, tmp_path):
    folder, _ = demo
    archive = next((folder / "archive").glob("2026-09/*.xlsx"))
    all_pages = pages(convert(archive, "pdf", tmp_path))
    tickets = sheet_pages(all_pages, schema.SHEETS["tickets"].zh)
    log = sheet_pages(all_pages, schema.SHEETS["log"].zh)
    assert tickets and len(log) >= 2
    assert_one_page_wide(tickets, schema.TICKET_COLUMNS)
    assert_one_page_wide(log, schema.LOG_COLUMNS)
    assert sheet_pages(all_pages, SUMMARY_SHEET.zh)
    assert all("工单跟踪表2026-09" in squeezed(p.splitlines()[0] + p.splitlines()[1]) for p in all_pages[:1])


@needs_libreoffice
@needs_poppler
@pytest.mark.libreoffice
def test_report_pages_are_the_page_grid_and_nothing_is_cut(demo, tmp_path):
    folder, _ = demo
    report = folder / "月度报告_2026-10.xlsx"
    grid = page_grid(report)
    all_pages = pages(convert(report, "pdf", tmp_path))
    # as many pages as the grid plans: LibreOffice added no break of its own, across or down
    assert len(all_pages) == sum(len(sheet) for sheet in grid.values())
    wb = load_workbook(report)
    for ws in wb.worksheets:
        printed = sheet_pages(all_pages, ws.title)
        assert len(printed) == len(grid[ws.title])
        for chart in ws._charts:
            title = "".join(run.t for p in chart.title.tx.rich.p for run in (p.r or []))
            page = page_of(grid[ws.title], chart.anchor._from.row + 1)
            end = rows_down(ws, chart.anchor._from.row + 1,
                            (chart.anchor._from.rowOff + chart.anchor.ext.height) / 12700)  # EMU -> pt
            assert page_of(grid[ws.title], end) == page, title  # the chart ends on the page it starts on
            assert squeezed(title) in squeezed(printed[page]), title  # ... and is drawn there
    # every table: its title and its last row on one page
    for ws in wb.worksheets:
        titles = [(r, ws.cell(row=r, column=1).value) for r in range(1, ws.max_row + 1)
                  if ws.cell(row=r + 1, column=1).fill == style.HEADER_FILL]
        for r, title in titles:
            last = r + 1
            while ws.cell(row=last + 1, column=1).value is not None and (last + 1, ws.cell(row=last + 1, column=1).value) \
                    not in titles:  # a continued table starts right under the page's last row
                last += 1
            assert page_of(grid[ws.title], r) == page_of(grid[ws.title], last), title


def page_grid(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Per sheet, its pages as (first row, last row) from the manual breaks; each fits a page at 100 %."""
    wb = load_workbook(path)
    grid = {}
    for ws in wb.worksheets:
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
        breaks = sorted(b.id for b in ws.row_breaks.brk)
        starts, ends = [1] + [b + 1 for b in breaks], breaks + [ws.max_row]
        grid[ws.title] = list(zip(starts, ends))
        for first, last in grid[ws.title]:
            height = sum(ws.row_dimensions[r].height or 15 for r in range(first, last + 1))
            assert height <= style.PAGE_HEIGHT_PT, (ws.title, first, last, height)
    return grid


def page_of(grid: list[tuple[int, int]], row: int) -> int:
    return next(i for i, (first, last) in enumerate(grid) if first <= row <= last or i == len(grid) - 1)


def rows_down(ws, row: int, points: float) -> int:
    """The row where something ``points`` tall, starting at the top of ``row``, ends."""
    while points > (ws.row_dimensions[row].height or 15):
        points -= ws.row_dimensions[row].height or 15
        row += 1
    return row


def test_report_charts_count_in_whole_numbers_and_label_every_category(demo):
    folder, _ = demo
    report = folder / "月度报告_2026-10.xlsx"
    with zipfile.ZipFile(report) as z:
        charts = [ElementTree.fromstring(z.read(n)) for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) >= 15
    targets = 0
    for chart in charts:
        for axis in chart.iter(f"{C}catAx"):
            assert axis.find(f"{C}tickLblSkip").get("val") == "1"
        value_axis = chart.find(f".//{C}valAx")
        fmt = value_axis.find(f"{C}numFmt").get("formatCode")
        assert fmt in ("0", "0%", "0.0", "0.00"), fmt
        if fmt == "0":  # a count: whole steps, so no axis reads 0.5 or 1.5
            step = float(value_axis.find(f"{C}majorUnit").get("val"))
            assert step == int(step) >= 1
        if chart.find(f".//{C}barChart/{C}dLbls/{C}showVal") is not None:
            assert chart.find(f".//{C}barChart/{C}dLbls/{C}showVal").get("val") == "1"
        dashed = [d for d in chart.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}prstDash")
                  if d.get("val") == "dash"]
        targets += bool(dashed)
        assert chart.find(f".//{C}dispBlanksAs").get("val") == "gap"
    assert targets == 6  # five SLA tables and the trend's compliance line have a target line


def test_report_sources_are_named_relative_to_the_tracker(demo):
    folder, _ = demo
    ws = load_workbook(folder / "月度报告_2026-10.xlsx")[report_book.SHEETS["overview"].zh]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "工单跟踪.xlsx" in values and "archive/2026-09/工单归档_2026-09.xlsx" in values
    assert not any(str(folder) in v or v.startswith("/") for v in values)


@needs_libreoffice
@needs_poppler
@pytest.mark.libreoffice
def test_one_sans_font_family_prints_everywhere(demo, tmp_path):
    """Bold Latin letters and digits (SLA状态, MTTA, P90, ticket numbers) print in a sans, never a serif."""
    folder, _ = demo
    for path in (folder / "工单跟踪.xlsx", folder / "月度报告_2026-10.xlsx"):
        fonts = subprocess.run(["pdffonts", str(convert(path, "pdf", tmp_path / path.stem))], capture_output=True,
                               text=True, check=True, timeout=60).stdout
        names = [line.split()[0] for line in fonts.splitlines()[2:]]
        assert names and not [n for n in names if "Serif" in n], names


def test_every_sheet_prints_landscape_with_titles_and_page_numbers(demo):
    folder, _ = demo
    books = [folder / "工单跟踪.xlsx", next((folder / "archive").glob("*/*.xlsx")), folder / "月度报告_2026-10.xlsx"]
    for path in books:
        for ws in load_workbook(path).worksheets:
            assert ws.page_setup.orientation == "landscape", (path.name, ws.title)
            assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text
            assert ws.oddFooter.left.text == "&A" and ws.oddHeader.center.text
            assert ws.page_margins.left == style.PAGE_MARGINS.left
            if ws.title in (schema.SHEETS["tickets"].zh, schema.SHEETS["log"].zh):
                assert ws.print_title_rows == "$1:$1" and ws.freeze_panes in ("A2", "B2")
                assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0


def test_dashboard_fits_one_page(demo):
    folder, _ = demo
    ws = load_workbook(folder / "工单跟踪.xlsx")[schema.SHEETS["dashboard"].zh]
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
