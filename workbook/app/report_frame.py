"""Every ticket the report covers as one pandas DataFrame: the live tracker and every archive.

One row per ticket with a 报修时间: its codes, times, MTTA/MTTR in minutes on both clocks, the SLA
targets it missed once done, what is needed to judge it as it stood at a month's end, and when it
was reopened. :func:`ticket_records` is pure; :func:`load_frame` reads the files.

The live tracker's rows are made in a forked child (:mod:`workbook.app.child`) while this process
reads the archives. An archive's rows are cached beside it (:mod:`workbook.app.report_cache`): it
changes only when `track-xls archive` writes it, which leaves its cache too. Archives without a
valid cache are independent files, so they are read in parallel, one worker process per core: a
worker reads a month's workbook, writes its cache and returns its rows and the few fields the
review rules need. All rows become one frame at the end.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cached_property
from itertools import compress, repeat
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import schema
from ..core.calendar import BusinessCalendar
from ..core.log import History
from ..core.parse import frozen_breaches
from ..xlsx.reader import read_book
from ..core.computed import ticket_times
from ..core.settings import Settings
from ..core.sla import Rules, TicketTimes
from .archive_layout import archive_files
from .archives import Entry, archived_entries
from .child import in_child
from .report_cache import cache_key, read_cached, write_cached
from ..core.tickets import Ticket
from ..core.tracker import Tracker, load_tracker

if TYPE_CHECKING:
    import pandas as pd

_TIMES = ("reported_at", "assigned_at", "resolved_at")
_COLUMNS = ("number", "priority", "done", "channel", "module", "category", "department", "satisfaction", *_TIMES,
            "mtta_wall", "mtta_business", "mttr_wall", "mttr_business", "final", "times", "reopens")
REVIEW_KEYS = ("module", "category", "assignee")  # what the review rules read besides number, priority, status


Columns = dict[str, list]  # column name -> values, one per ticket


@dataclass
class Loaded:
    tracker: Tracker
    tickets: list[Ticket]  # every ticket once (archived ones with the review rules' fields only)
    archives: list[Path]
    live: Callable[[], list[tuple]]  # the live tracker's rows, waited for when the frame is first used
    archived: Columns  # the archived tickets' rows

    @cached_property
    def frame(self) -> pd.DataFrame:
        columns = dict(zip(_COLUMNS, map(list, zip(*self.live())))) or _empty(_COLUMNS)
        return _frame({name: columns[name] + self.archived[name] for name in _COLUMNS})


def load_frame(path: Path) -> Loaded:
    """The tracker at ``path`` (read, never written) and its archives; a ticket in both counts once,
    as the tracker has it (an archive run stopped between its two writes)."""
    tracker = load_tracker(read_book(path))
    settings = tracker.settings
    files = archive_files(path, settings)
    keys = [cache_key(f, settings) for f in files]  # (imports the holiday library before the fork, once)
    live = in_child(lambda: _live_records(tracker))  # while the archives are read here (and the review rules run)
    parts = [_cached_part(f, k) for f, k in zip(files, keys)]
    todo = [i for i, part in enumerate(parts) if part is None]
    workers = min(len(todo), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            pending = pool.map(_archive_part, [files[i] for i in todo], [keys[i] for i in todo], repeat(settings))
            for i, part in zip(todo, pending):
                parts[i] = _decoded(part)
    else:  # one archive to read, or one core: a worker would only add its start-up time
        for i in todo:
            parts[i] = _decoded(_archive_part(files[i], keys[i], settings))
    seen = {t.number for t in tracker.tickets if t.number}
    archived, tickets = _empty(_COLUMNS), list(tracker.tickets)
    for rows, basics in parts:
        fresh = [n not in seen for n in basics["number"]]
        numbers = set(compress(basics["number"], fresh))
        seen |= numbers
        keep = [n in numbers for n in rows["number"]]
        for name in _COLUMNS:
            archived[name] += compress(rows[name], keep)
        tickets += map(_review_ticket, *(compress(basics[k], fresh) for k in _BASICS))
    return Loaded(tracker, tickets, files, live, archived)


def _live_records(tracker: Tracker) -> list[tuple]:
    entries = [(t, tracker.histories.get(t.number) or History()) for t in tracker.tickets]
    return ticket_records(entries, tracker.settings, BusinessCalendar.from_settings(tracker.settings))


def archive_part(entries: list[Entry], settings: Settings) -> dict:
    """An archive's rows and its tickets' review fields, as the cache keeps them (the archive command
    leaves them too, computed from the workbook it wrote)."""
    records = ticket_records(entries, settings, BusinessCalendar.from_settings(settings), frozen=True)
    basics = [(t.number, t.priority, t.status, t.reported_at, *(t.text(k) for k in REVIEW_KEYS)) for t, _ in entries]
    return _part_json(records, basics)


def _archive_part(file: Path, key: str, settings: Settings) -> dict:
    """One archive's part, read from its workbook; cached beside it when the file did not change while
    it was read."""
    part = archive_part(archived_entries(file), settings)
    if cache_key(file, settings) == key:
        write_cached(file, key, part)
    return part


def _cached_part(file: Path, key: str) -> tuple[Columns, Columns] | None:
    part = read_cached(file, key)
    try:
        return None if part is None else _decoded(part)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):  # not what this code writes
        return None


def _review_ticket(number: str, priority: str | None, status: str | None, reported: datetime | None,
                   *fields: str) -> Ticket:
    return Ticket(row=0, raw=dict(zip(REVIEW_KEYS, fields)), number=number, priority=priority, status=status,
                  times={"reported_at": reported})


def _frame(columns: Columns) -> pd.DataFrame:
    import pandas as pd  # a second to import: not for the archive command, which only needs archive_part

    frame = pd.DataFrame(columns, columns=_COLUMNS)
    for key in _TIMES:
        frame[key] = pd.to_datetime(frame[key])
    frame["done"] = frame["done"].astype(bool)
    return frame


def ticket_records(entries, settings: Settings, calendar: BusinessCalendar, frozen: bool = False) -> list[tuple]:
    """The frame's rows, one per ticket with a 报修时间: codes, times, durations in minutes and SLA outcomes.

    ``final`` holds a done ticket's missed metrics. With ``frozen`` (archived tickets) they are the
    SLA columns as archived, judged by the targets in force then, so a later change of targets does
    not rewrite history; tickets archived without them are judged now. ``times`` keeps the SLA
    inputs of every ticket that can be open at a month's end (not done, or done in a later month
    than reported), for judging it as it stood then.
    """
    rules = Rules(settings, calendar)
    return [_record(t, h, rules, calendar, frozen) for t, h in entries if t.reported_at is not None]


def _record(ticket: Ticket, history: History, rules: Rules, calendar: BusinessCalendar, frozen: bool) -> tuple:
    reported, assigned = ticket.reported_at, ticket.time("assigned_at")
    resolved = (ticket.time("resolved_at") or ticket.time("closed_at")) if ticket.done else None
    judged = ticket.done and ticket.priority is not None
    final = frozen_breaches(ticket.raw.get("sla_state"), ticket.raw.get("breached")) if judged and frozen else None
    may_be_open = resolved is None or (resolved.year, resolved.month) != (reported.year, reported.month)
    # The SLA inputs are built only when needed: most archived tickets need neither.
    times = ticket_times(ticket, history) if ticket.priority and (may_be_open or (judged and final is None)) else None
    if judged and final is None:
        final = rules.evaluate(times, reported).breached  # a done ticket's outcome ignores "now"
    return (ticket.number, ticket.priority, ticket.done,
            *(ticket.text(k) for k in ("channel", "module", "category", "department")),
            ticket.satisfaction if ticket.satisfaction in range(1, 6) else None, reported, assigned, resolved,
            *_durations(reported, assigned, calendar), *_durations(reported, resolved, calendar),
            final, times if may_be_open else None, _reopens(history.status_changes))


def _durations(start: datetime, end: datetime | None, calendar: BusinessCalendar) -> tuple[float | None, ...]:
    """(wall, business) minutes from start to end; None without an end or with one before the start
    (bad data, which `check` reports)."""
    if end is None or end < start:
        return None, None
    return (end - start).total_seconds() / 60, calendar.working_minutes(start, end)


def _reopens(changes: list[tuple[datetime, str]]) -> tuple[datetime, ...]:
    out, before = [], "new"
    for when, status in changes:
        if before in schema.DONE_STATUSES and status not in schema.DONE_STATUSES:
            out.append(when)
        before = status
    return tuple(out)


# -- an archive's part as the cache keeps it: JSON columns, times as ISO text -----------------------------

_BASICS = ("number", "priority", "status", "reported_at", *REVIEW_KEYS)  # a ticket's fields for the review rules


def _part_json(records: list[tuple], basics: list[tuple]) -> dict:
    rows = {name: list(values) for name, values in zip(_COLUMNS, zip(*records))} if records else _empty(_COLUMNS)
    for key in _TIMES:
        rows[key] = [_iso(when) for when in rows[key]]
    rows["times"] = [None if t is None else _tagged({f.name: getattr(t, f.name) for f in fields(t)})
                     for t in rows["times"]]
    rows["reopens"] = [[when.isoformat() for when in times] for times in rows["reopens"]]
    fields_of = {name: list(values) for name, values in zip(_BASICS, zip(*basics))} if basics else _empty(_BASICS)
    fields_of["reported_at"] = [_iso(when) for when in fields_of["reported_at"]]
    return {"rows": rows, "basics": fields_of}


def _decoded(part: dict) -> tuple[Columns, Columns]:
    """(rows, basics) from :func:`_part_json`'s form; ValueError or the like when it is not that."""
    rows, basics = part["rows"], part["basics"]
    if list(rows) != list(_COLUMNS) or list(basics) != list(_BASICS) or len({*map(len, rows.values())}) > 1 \
            or len({*map(len, basics.values())}) > 1:
        raise ValueError("not a report part")
    for key in _TIMES:
        rows[key] = [_when(text) for text in rows[key]]
    rows["final"] = [None if missed is None else tuple(missed) for missed in rows["final"]]
    rows["times"] = [None if t is None else TicketTimes(**_untagged(t)) for t in rows["times"]]
    rows["reopens"] = [tuple(map(datetime.fromisoformat, times)) for times in rows["reopens"]]
    basics["reported_at"] = [_when(text) for text in basics["reported_at"]]
    return rows, basics


def _empty(names: tuple[str, ...]) -> Columns:
    return {name: [] for name in names}


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _tagged(value: object) -> object:
    """SLA inputs as JSON: a time as {"@": ISO text}, so it comes back a time and not text."""
    if isinstance(value, datetime):
        return {"@": value.isoformat()}
    if isinstance(value, dict):
        return {k: _tagged(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_tagged(v) for v in value]
    return value


def _untagged(value: object) -> object:
    if isinstance(value, dict):
        if value.keys() == {"@"}:
            return datetime.fromisoformat(value["@"])
        return {k: _untagged(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(_untagged(v) for v in value)
    return value
