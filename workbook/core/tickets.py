"""Rows of the Tickets sheet as :class:`Ticket` values.

Parsing is lenient: a field that cannot be read becomes None and its raw value stays in ``raw``,
so :mod:`workbook.core.validation` can name the cell and say what was found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from . import schema
from .book import Table, Value
from .parse import parse_datetime, parse_int, parse_priority, parse_status, text

TIME_KEYS = tuple(c.key for c in schema.TICKET_COLUMNS if c.kind is schema.Kind.DATETIME and not c.computed)
_yes_no = lru_cache(maxsize=256, typed=True)(schema.yes_no)  # the same few answers on every row


@dataclass(slots=True)
class Ticket:
    row: int  # 0-based sheet row
    raw: dict[str, Value] = field(repr=False)
    number: str = ""
    priority: str | None = None
    status: str | None = None
    times: dict[str, datetime | None] = field(default_factory=dict)
    backup_done: bool | None = None
    satisfaction: int | None = None

    @property
    def reported_at(self) -> datetime | None:
        return self.times.get("reported_at")

    @property
    def done(self) -> bool:
        return self.status in schema.DONE_STATUSES

    def text(self, key: str) -> str:
        return text(self.raw.get(key))

    def time(self, key: str) -> datetime | None:
        return self.times.get(key)


def read_tickets(table: Table) -> list[Ticket]:
    return [ticket_from_record(row, record) for row, record in table.records()]


def ticket_from_record(row: int, record: dict[str, Value]) -> Ticket:
    get = record.get
    return Ticket(
        row=row,
        raw=record,
        number=text(get("ticket_no")),
        priority=parse_priority(get("priority")),
        status=parse_status(get("status")),
        times=dict(zip(TIME_KEYS, map(parse_datetime, map(get, TIME_KEYS)))),
        backup_done=_yes_no(get("backup_done")),
        satisfaction=parse_int(get("satisfaction")),
    )
