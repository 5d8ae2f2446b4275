"""The Log sheet (进展日志): each ticket's history of status changes and progress updates.

Status-change rows carry the change as text, ``旧状态 → 新状态`` (or just the new status),
optionally followed by a note after a colon (``已解决 → 处理中：重新打开：…``); the SLA engine's
pause intervals are read from them: time in 等待报修人, and time spent 已解决/已关闭 before a
reopen (GLPI's rule: a solved ticket that comes back counted the solved time as waiting).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import itemgetter

from . import schema
from .book import Table, Value
from .parse import parse_datetime, parse_status, text

ARROW = "→"
# Statuses whose time stops the update and resolution clocks (done ones only when a reopen follows).
PAUSED = frozenset({"waiting"}) | schema.DONE_STATUSES
# A note may follow the new status after a colon or an opening bracket.
_NOTE = re.compile(r"[:：(（]")


@dataclass
class History:
    status_changes: list[tuple[datetime, str]] = field(default_factory=list)  # (time, new status code)
    updates: list[datetime] = field(default_factory=list)

    def last_status(self) -> str | None:
        return self.status_changes[-1][1] if self.status_changes else None

    def pauses(self) -> tuple[tuple[datetime, datetime | None], ...]:
        """Intervals the clocks stand still: in 等待报修人, and resolved/closed until a reopen.

        The last one is open (None) while still waiting. A ticket still done at the end is not
        paused by being done: its waiting, if any, ends when it was resolved.
        """
        out, start, done_since = [], None, None
        for when, status in self.status_changes:
            if status in PAUSED and start is None:
                start = when
            elif status not in PAUSED and start is not None:
                out.append((start, when))
                start = None
            done_since = (done_since or when) if status in schema.DONE_STATUSES else None
        if start is not None and done_since is None:
            out.append((start, None))
        elif start is not None and start < done_since:
            out.append((start, done_since))
        return tuple(out)


def read_histories(table: Table | None, start: int | None = None) -> dict[str, History]:
    """Ticket number -> its History, events in time order; from the rows from ``start`` when given."""
    out: dict[str, History] = defaultdict(History)
    if table is None:
        return out
    columns = (table.column(key, start) for key in ("ticket_no", "time", "kind", "text"))
    latest, in_order = datetime.min, True
    for number, when, kind, change in zip(*columns):
        kind = _kind(kind)
        if kind not in ("status_change", "update"):
            continue
        number, when = text(number), parse_datetime(when)
        if not number or when is None:
            continue
        in_order, latest = in_order and when >= latest, when
        if kind == "update":
            out[number].updates.append(when)
        elif status := status_in_text(change):
            out[number].status_changes.append((when, status))
    if not in_order:  # a row typed out of place: a Log is kept in time order otherwise
        for history in out.values():
            history.status_changes.sort(key=itemgetter(0))
            history.updates.sort()
    return out


def joined(histories: dict[str, History], later: dict[str, History]) -> dict[str, History]:
    """``histories`` with the events of ``later`` (read from rows below theirs) added, as one
    reading of all those rows would give them; neither argument changes."""
    out = defaultdict(History, histories)
    for number, more in later.items():
        before = histories.get(number, History())
        out[number] = History(sorted(before.status_changes + more.status_changes, key=lambda item: item[0]),
                              sorted(before.updates + more.updates))
    return out


@lru_cache(maxsize=256, typed=True)  # a Log repeats a handful of kinds on all its rows
def _kind(value: Value) -> str | None:
    return schema.code_of(schema.LOG_KINDS, value)


@lru_cache(maxsize=4096, typed=True)  # and the same few status changes on every ticket
def status_in_text(value: Value) -> str | None:
    """The new status named by a status-change text: the part after the arrow (or the whole), before any note."""
    change = _NOTE.split(text(value), maxsplit=1)[0]
    return parse_status(change.split(ARROW)[-1].strip())


def status_change_text(old: str | None, new: str, lang: str, note: str = "") -> str:
    new_label = schema.STATUSES[new](lang)
    change = f"{schema.STATUSES[old](lang)} {ARROW} {new_label}" if old else new_label
    return f"{change}{'：' if lang == 'zh' else ': '}{note}" if note else change


def log_row(table: Table, number: str, when: datetime, author: str, kind: str, message: str) -> dict[int, Value]:
    """A new Log row as {column: value} in the table's layout and language."""
    values = {"ticket_no": number, "time": when, "author": author,
              "kind": schema.LOG_KINDS[kind](table.lang), "text": message}
    return {table.columns[k]: v for k, v in values.items() if k in table.columns}
