"""Cell references and Excel serial dates: pure converters, no workbook involved."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

from .errors import InputError

EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 0 in the 1900 date system (Lotus leap-year bug folded in)
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # Excel's sheet size
MAX_TEXT = 32_767  # Excel's limit on the characters in one cell
# Excel's serials count a 1900-02-29 that never was: days before March 1900 read back a day off.
FIRST_DATE = date(1900, 3, 1)
FIRST_MOMENT = datetime.combine(FIRST_DATE, time())
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_letter(col: int) -> str:
    """0-based column index to letters: 0 -> A, 27 -> AB."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """Letters to 0-based column index: A -> 0, AB -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def a1(row: int, col: int) -> str:
    """0-based (row, col) to an A1 reference."""
    return f"{col_letter(col)}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    """An A1 reference (dollars allowed) to 0-based (row, col)."""
    m = _REF.match(ref.upper())
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


def to_serial(value: datetime | date) -> float:
    """A date or datetime (to the second) as the Excel serial number every reader shows at that second.

    A serial is a fraction of a day, rarely exact in binary: the nearest double may fall a hair
    short, and LibreOffice truncates when it shows a time (19:21:59.99 shows as 19:21). So the
    serial is the nearest double at or above the exact value; Excel and calamine round to the
    second and show the same.
    """
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    elif value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - EXCEL_EPOCH
    seconds = delta.days * 86400 + delta.seconds
    serial = seconds / 86400  # correctly rounded: the nearest double, either side
    numerator, denominator = serial.as_integer_ratio()
    if numerator * 86400 < seconds * denominator:  # exact comparison, in integers
        serial = math.nextafter(serial, math.inf)
    return serial


def from_serial(serial: float) -> datetime:
    """An Excel serial number to a datetime, rounded to the second."""
    return EXCEL_EPOCH + timedelta(seconds=round(float(serial) * 86400))


def minute(value: datetime) -> datetime:
    """Drop seconds: the tracker's times are to the minute."""
    return value.replace(second=0, microsecond=0)


# -- what a cell may hold: one rule for every engine ---------------------------------------------------

def check_cell(sheet: str, r: int, c: int, value: object) -> None:
    if not (0 <= r < MAX_ROWS and 0 <= c < MAX_COLS):
        raise InputError("cell_outside", sheet, row=r, column=c)
    if type(value) is datetime and value.tzinfo is None and value >= FIRST_MOMENT:
        return  # most of what a refresh writes (70% at 10k tickets), passed without the tests below
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise InputError("cell_too_long", sheet, a1(r, c), length=len(value), limit=MAX_TEXT)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError("cell_bad_text", sheet, a1(r, c), reason=exc.reason) from exc
    elif isinstance(value, date):  # before float: a refresh writes more times than numbers
        if day_of(value) < FIRST_DATE:  # (no date is past 9999-12-31)
            raise InputError("cell_bad_date", sheet, a1(r, c), value=value, first=f"{FIRST_DATE:%Y-%m-%d}")
    elif isinstance(value, float) and not math.isfinite(value):
        raise InputError("cell_bad_number", sheet, a1(r, c), value=value)
    elif value is not None and not isinstance(value, (str, int, float, date)):
        raise InputError("cell_bad_type", sheet, a1(r, c), kind=type(value).__name__, value=repr(value))


def day_of(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value
