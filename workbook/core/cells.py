"""Cell references and Excel serial dates: pure converters, no workbook involved."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 0 in the 1900 date system (Lotus leap-year bug folded in)
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
    """A date or datetime to an Excel serial number, rounded to the second."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    elif value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    delta = value - EXCEL_EPOCH
    return round(delta.days + delta.seconds / 86400, 8)


def from_serial(serial: float) -> datetime:
    """An Excel serial number to a datetime, rounded to the second."""
    return EXCEL_EPOCH + timedelta(seconds=round(float(serial) * 86400))


def minute(value: datetime) -> datetime:
    """Drop seconds: the tracker's times are to the minute."""
    return value.replace(second=0, microsecond=0)
