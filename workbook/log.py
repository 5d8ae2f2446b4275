"""The Log sheet (进展日志): each ticket's history of status changes and progress updates.

Status-change rows carry the change as text, ``旧状态 → 新状态`` (or just the new status); the
SLA engine's pause intervals (等待报修人) are read from them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from . import schema
from .book import Table, Value
from .parse import parse_datetime, parse_status, text

ARROW = "→"


@dataclass
class History:
    status_changes: list[tuple[datetime, str]] = field(default_factory=list)  # (time, new status code)
    updates: list[datetime] = field(default_factory=list)

    def last_status(self) -> str | None:
        return self.status_changes[-1][1] if self.status_changes else None

    def pauses(self) -> tuple[tuple[datetime, datetime | None], ...]:
        """Intervals spent in 等待报修人; the last one is open (None) while still waiting."""
        out, start = [], None
        for when, status in self.status_changes:
            if status == "waiting" and start is None:
                start = when
            elif status != "waiting" and start is not None:
                out.append((start, when))
                start = None
        if start is not None:
            out.append((start, None))
        return tuple(out)


def read_histories(table: Table | None) -> dict[str, History]:
    """Ticket number -> its History, events in time order."""
    out: dict[str, History] = defaultdict(History)
    if table is None:
        return out
    for _, record in table.records():
        number = text(record.get("ticket_no"))
        when = parse_datetime(record.get("time"))
        kind = schema.code_of(schema.LOG_KINDS, record.get("kind"))
        if not number or when is None:
            continue
        if kind == "status_change":
            status = status_in_text(record.get("text"))
            if status:
                out[number].status_changes.append((when, status))
        elif kind == "update":
            out[number].updates.append(when)
    for history in out.values():
        history.status_changes.sort(key=lambda item: item[0])
        history.updates.sort()
    return out


def status_in_text(value: Value) -> str | None:
    """The new status named by a status-change text: the part after the arrow, or the whole."""
    return parse_status(text(value).split(ARROW)[-1].strip())


def status_change_text(old: str | None, new: str, lang: str) -> str:
    new_label = schema.STATUSES[new](lang)
    return f"{schema.STATUSES[old](lang)} {ARROW} {new_label}" if old else new_label


def log_row(table: Table, number: str, when: datetime, author: str, kind: str, message: str) -> dict[int, Value]:
    """A new Log row as {column: value} in the table's layout and language."""
    values = {"ticket_no": number, "time": when, "author": author,
              "kind": schema.LOG_KINDS[kind](table.lang), "text": message}
    return {table.columns[k]: v for k, v in values.items() if k in table.columns}
