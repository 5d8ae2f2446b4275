"""How every workbook track-xls authors looks and prints: one font, one palette, one page setup.

The tracker, the archives and the report share these, so a printed archive looks like the tracker it
came from and a chart's red is the row colour's red. Fonts: Excel draws a Chinese workbook in
Microsoft YaHei (LibreOffice falls back to a CJK sans such as Noto Sans CJK, Latin letters to a sans),
an English one in Calibri; bold text asks for the same family, so digits never fall back to a serif.
"""

from __future__ import annotations

import unicodedata

from openpyxl.chart.axis import ChartLines
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import CharacterProperties, Font as DrawingFont, Paragraph, ParagraphProperties
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.child import _WorkbookChild
from openpyxl.worksheet.page import PageMargins

FONT_NAMES = {"zh": "Microsoft YaHei", "en": "Calibri"}
FONT_SIZE = 11

# SLA state -> (light fill, dark text): Excel's own conditional-format colours, used by the row
# colours, the dashboard's key figures and, as the strong tone, the charts.
STATE_COLOURS = {
    "overdue": ("FFC7CE", "9C0006"),
    "at_risk": ("FFEB9C", "9C5700"),
    "met": ("C6EFCE", "006100"),
    "met_late": ("E7E6E6", "595959"),
    "needs_fix": ("E4DFEC", "5B2C6F"),  # violet: a row to fix (待补全), unlike any SLA colour
}
STRONG = {"overdue": "E0524F", "at_risk": "F2B134", "met": "5BAA5E", "met_late": "A5A5A5"}
BLUE, TARGET = "4A7EBB", "9C0006"  # counts; the target line, in the overdue text colour
SERIES = (BLUE, "F2B134", "5BAA5E", "8E6BB5", "5FB3C4", "A5A5A5")  # one hue per series, blue first
STATUS_BLUES = ("1F4E79", "2E75B6", "9DC3E6", "BFBFBF")  # open statuses, new to waiting: no state colour
HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")

PAGE_MARGINS = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.6, header=0.3, footer=0.3)  # inches
PAGE_OF = {"zh": "第 &P 页，共 &N 页", "en": "Page &P of &N"}
# A4 landscape at 100 %, inside PAGE_MARGINS, in points: what a page grid may fill.
PAGE_WIDTH_PT = (11.69 - 0.8) * 72
PAGE_HEIGHT_PT = (8.27 - 1.3) * 72


def font(lang: str, bold: bool = False, size: float = FONT_SIZE, color: str | None = None,
         italic: bool = False) -> Font:
    return Font(name=FONT_NAMES[lang], size=size, bold=bold, italic=italic, color=color)


def use_font(wb, lang: str) -> None:
    """Make the workbook's default font (style 0 and the Normal style) the language's family.

    Must run before any cell is written: openpyxl gives unstyled cells font 0."""
    base = font(lang)
    wb._fonts = IndexedList([base])
    wb._named_styles["Normal"].font = base


def print_setup(ws: _WorkbookChild, lang: str, title: str, title_rows: str | None = "1:1",
                fit: str = "width") -> None:
    """Landscape A4, margins, a header with the title and a footer with the sheet and page x of y.

    ``fit``: "width" prints one page wide and as many pages down as it takes; "page" fits the whole
    sheet on one page (the dashboard); "none" prints at 100 % and follows the sheet's page breaks
    (the report: Excel ignores manual breaks once a fit is set)."""
    setup = ws.page_setup
    setup.orientation, setup.paperSize = "landscape", 9  # 9: A4
    if fit != "none":
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        setup.fitToWidth, setup.fitToHeight = 1, (1 if fit == "page" else 0)  # 0: as many pages down as needed
    ws.page_margins = PAGE_MARGINS
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    header_font = f"{FONT_NAMES[lang]},Regular"
    ws.oddHeader.center.text, ws.oddHeader.center.font, ws.oddHeader.center.size = title.replace("&", "&&"), header_font, 10
    ws.oddFooter.left.text, ws.oddFooter.left.font, ws.oddFooter.left.size = "&A", header_font, 9
    ws.oddFooter.right.text, ws.oddFooter.right.font, ws.oddFooter.right.size = PAGE_OF[lang], header_font, 9


# -- widths ---------------------------------------------------------------------------------------------

def text_width(value: object) -> float:
    """Width of a value in Excel's column units: a CJK character takes two, others one."""
    text = value if isinstance(value, str) else _shown(value)
    longest = max(text.split("\n"), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.2 for ch in longest)


def _shown(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        return "yyyy-mm-dd hh:mm"
    if hasattr(value, "year"):
        return "yyyy-mm-dd"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def fit_width(header: str, values, least: float = 6, most: float = 50) -> float:
    """A column width that shows every value whole and the header on at most two lines."""
    widest = max((text_width(v) for v in values), default=0)
    return round(min(most, max(least, widest + 2, text_width(header) / 2 + 2)), 1)


# -- charts ---------------------------------------------------------------------------------------------

def chart_text(chart, lang: str, size: float = 9) -> None:
    """The chart's text in the workbook's font (Latin and East Asian), so titles match the cells."""
    name = FONT_NAMES[lang]
    props = CharacterProperties(latin=DrawingFont(typeface=name), ea=DrawingFont(typeface=name), sz=int(size * 100))
    chart.txPr = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def count_axis(axis, largest: float | None = None) -> None:
    """Whole numbers on a count axis from 0; the step is 1 unless the counts are large."""
    axis.number_format = "0"
    axis.scaling.min = 0
    axis.majorUnit = _step(largest) if largest else 1


def _step(largest: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50 ... that draws at most 8 gridlines."""
    step, factors = 1, (2, 2.5, 2)
    i = 0
    while largest / step > 8:
        step = int(step * factors[i % 3])
        i += 1
    return step


def percent_axis(axis) -> None:
    axis.scaling.min, axis.scaling.max = 0, 1
    axis.number_format, axis.majorUnit = "0%", 0.2


def every_category(axis) -> None:
    """Label every category: LibreOffice and Excel otherwise skip labels they think crowded."""
    axis.tickLblSkip = 1
    axis.tickMarkSkip = 1
    axis.delete = False


def value_labels(chart, number_format: str | None = None) -> None:
    labels = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                           showPercent=False)
    if number_format:
        labels.numFmt = number_format
    chart.dataLabels = labels


def colour(series, rgb: str, line: bool = False) -> None:
    if line:
        series.graphicalProperties.line.solidFill = rgb
        series.graphicalProperties.line.width = 28575  # 2.25 pt
    else:
        series.graphicalProperties = GraphicalProperties(solidFill=rgb)


def dashed(series, rgb: str) -> None:
    series.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill=rgb, prstDash="dash", w=19050))
    series.marker.symbol = "none"
    series.smooth = False


def light_gridlines(axis) -> None:
    axis.majorGridlines = ChartLines(spPr=GraphicalProperties(ln=LineProperties(solidFill="D9D9D9")))
