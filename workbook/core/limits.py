"""Values that pass the row rules but would break another command, found before they do.

A Log time before :data:`~workbook.core.validation.EARLIEST` is a typo, as a ticket's is. Text longer than an Excel cell holds, or holding a control character no cell can, cannot be
written to an archive without being cut: such a ticket is not archived, and ``check`` names the cell.
"""

from __future__ import annotations

import re
from typing import Iterator

from . import schema
from .book import Table
from .cells import MAX_TEXT, a1
from .messages import say
from .parse import parse_datetime
from .tracker import Tracker
from .validation import EARLIEST, Finding

# The characters XML 1.0 cannot hold (tab, line feed and carriage return it can).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def check_limits(tracker: Tracker, lang: str) -> list[Finding]:
    """Log times out of range, and every Tickets or Log cell no archive can hold, in sheet order."""
    out = []
    log = tracker.log_table
    if log is not None and "time" in log.columns:
        for r, (value,) in log.values(("time",)):
            when = parse_datetime(value)
            if when is not None and when < EARLIEST:
                out.append(Finding(log.name, log.cell(r, "time"), "date_range",
                                   say("date_range", lang, header=schema.column("log", "time").label(lang),
                                       value=f"{when:%Y-%m-%d}", earliest=f"{EARLIEST:%Y-%m-%d}"), True))
    for table in (tracker.tickets_table, log):
        for r, c, value in unstorable(table):
            out.append(Finding(table.name, a1(r, c), "cell_text", check_text(value, lang)))
    return out


def unstorable(table: Table | None, rows: set[int] | None = None) -> Iterator[tuple[int, int, str]]:
    """(row, column, text) of each cell under the header (of ``rows``, else every row) that an
    Excel cell cannot hold as it is."""
    if table is None:
        return
    for r in sorted(rows) if rows is not None else range(table.first_row, table.end_row):
        for c, value in enumerate(table.sheet.rows[r] if r < len(table.sheet.rows) else ()):
            if isinstance(value, str) and (len(value) > MAX_TEXT or (not value.isprintable() and CONTROL.search(value))):
                yield r, c, value


def check_text(value: str, lang: str) -> str:
    """Why an Excel cell cannot hold ``value`` (one :func:`unstorable` found)."""
    if len(value) > MAX_TEXT:
        return say("cell_too_long", lang, length=len(value), limit=MAX_TEXT)
    return say("cell_control", lang, code=f"U+{ord(CONTROL.search(value).group()):04X}")
