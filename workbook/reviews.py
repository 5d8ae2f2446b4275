"""The Reviews sheet (复盘): which tickets have had their review recorded."""

from __future__ import annotations

import re

from .book import Table
from .parse import text

# Reviews may list several tickets in one cell: "20240520-003, 20240521-001" or "…、…".
_SPLIT = re.compile(r"[\s,，、;；]+")


def ticket_numbers_in(value: object) -> list[str]:
    return [n for n in _SPLIT.split(text(value)) if n]


def reviewed_numbers(table: Table | None) -> set[str]:
    """Numbers named in any Reviews row."""
    if table is None:
        return set()
    return {n for _, record in table.records() for n in ticket_numbers_in(record.get("ticket_nos"))}
