"""Values that pass the row rules but would break another command, found before they do.

A Log time before :data:`~workbook.core.validation.EARLIEST` is a typo, as a ticket's is. Text
longer than an Excel cell holds cannot be written to an archive without being cut: such a ticket
is not archived, and ``check`` names the cell. (A control character is fine: the archive writes
it as Excel's own escape.)
"""

from __future__ import annotations

from typing import Iterator

from . import schema
from .book import Table
from .cells import MAX_TEXT, a1
from .messages import say
from .parse import parse_datetime
from .tracker import Tracker
from .validation import EARLIEST, Finding


def check_limits(tracker: Tracker, lang: str) -> list[Finding]:
    """Log times out of range, and every Tickets or Log cell no archive can hold, in sheet order."""
    out = []
    log = tracker.log_table
    if log is not None and "time" in log.columns:
        for r, value in enumerate(log.column("time"), log.first_row):
            when = parse_datetime(value)
            if when is not None and when < EARLIEST:
                out.append(Finding(log.name, log.cell(r, "time"), "date_range",
                                   say("date_range", lang, header=schema.column("log", "time").label(lang),
                                       value=f"{when:%Y-%m-%d}", earliest=f"{EARLIEST:%Y-%m-%d}"), row=r))
    for table in (tracker.tickets_table, log):
        for r, c, value in unstorable(table):
            out.append(Finding(table.name, a1(r, c), "cell_text", check_text(value, lang), row=r))
    return out


def unstorable(table: Table | None) -> Iterator[tuple[int, int, str]]:
    """(row, column, text) of each cell under the header that an Excel cell cannot hold whole."""
    if table is None or not table.sheet.may_hold_text_longer_than(MAX_TEXT):
        return
    for r, row in enumerate(table.sheet.rows[table.first_row:table.end_row], table.first_row):
        for c, value in enumerate(row):
            if value.__class__ is str and len(value) > MAX_TEXT:
                yield r, c, value


def check_text(value: str, lang: str) -> str:
    """Why an Excel cell cannot hold ``value`` (one :func:`unstorable` found)."""
    return say("text_too_long", lang, length=len(value), limit=MAX_TEXT)
