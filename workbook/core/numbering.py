"""Ticket numbers: ``YYYYMMDD-NNN`` from the reported date, a per-day serial from 001.

A number is never reused: the next serial of a day is one past the highest serial of that day seen
anywhere -- Tickets, Log, Reviews, the archive index, the archive manifests -- so a gap left by a
deleted row stays a gap, and a new ticket never inherits a deleted one's Log rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime
from functools import lru_cache
from typing import Iterable

NUMBER = re.compile(r"^(\d{8})-(\d{3,})$")
NUMBER_IN_TEXT = re.compile(r"(?<!\d)\d{8}-\d{3,}(?!\d)")


def is_well_formed(number: str) -> bool:
    m = NUMBER.match(number)
    return m is not None and _is_date(m.group(1))


@lru_cache(maxsize=4096)  # strptime is slow, and a tracker's numbers share a few hundred days
def _is_date(digits: str) -> bool:
    try:
        datetime.strptime(digits, "%Y%m%d")
    except ValueError:
        return False
    return True


def numbers_in(value: object) -> list[str]:
    """The ticket numbers written in a cell: a Log row's, or a review's list of them."""
    return NUMBER_IN_TEXT.findall(value) if isinstance(value, str) else []


def format_number(day: date, serial: int) -> str:
    return f"{day:%Y%m%d}-{serial:03d}"


def highest_serials(numbers: Iterable[str]) -> dict[str, int]:
    """Day prefix 'YYYYMMDD' -> highest serial used that day."""
    high: dict[str, int] = defaultdict(int)
    for number in numbers:
        m = NUMBER.match(number.strip())
        if m:
            high[m.group(1)] = max(high[m.group(1)], int(m.group(2)))
    return high


def assign_numbers(new: list[tuple[int, datetime]], taken: Iterable[str]) -> dict[int, str]:
    """Numbers for new tickets, given as (row, reported_at), in reported order.

    ``taken`` holds every number ever seen (:attr:`workbook.core.tracker.Tracker.used`).
    """
    if not new:
        return {}  # most refreshes number nothing: the taken numbers need not be read
    high = highest_serials(taken)
    out = {}
    for row, reported_at in sorted(new, key=lambda item: (item[1], item[0])):
        day = f"{reported_at:%Y%m%d}"
        high[day] += 1
        out[row] = format_number(reported_at.date(), high[day])
    return out
