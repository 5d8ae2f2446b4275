"""Every ticket the report covers as one pandas DataFrame: the live tracker and every archive.

One row per ticket with a 报修时间: its codes, times, MTTA/MTTR in minutes on both clocks, the SLA
targets it missed once done, what is needed to judge it as it stood at a month's end, and when it
was reopened. :func:`ticket_frame` is pure; :func:`load_frame` reads the files.

Archives are independent files, so they are read in parallel, one worker process per core: a
worker reads a month's workbook and returns its frame (pickled column by column, which is cheap)
and the few fields the review rules need, while the main process turns the live tracker into its
frame.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..core import schema
from ..core.calendar import BusinessCalendar
from ..core.log import History
from ..core.parse import frozen_breaches
from ..xlsx.reader import read_book
from ..core.computed import ticket_times
from ..core.settings import Settings
from ..core.sla import evaluate
from .archive_layout import archive_files
from .archives import archived_entries
from ..core.tickets import Ticket
from ..core.tracker import Tracker, load_tracker

_TIMES = ("reported_at", "assigned_at", "resolved_at")
_COLUMNS = ("number", "priority", "done", "channel", "module", "category", "department", "satisfaction", *_TIMES,
            "mtta_wall", "mtta_business", "mttr_wall", "mttr_business", "final", "times", "reopens")
REVIEW_KEYS = ("module", "category", "assignee")  # what the review rules read besides number, priority, status


@dataclass
class Loaded:
    tracker: Tracker
    frame: pd.DataFrame
    tickets: list[Ticket]  # every ticket once (archived ones with the review rules' fields only)
    archives: list[Path]


def load_frame(path: Path) -> Loaded:
    """The tracker at ``path`` (read, never written) and its archives; a ticket in both counts once,
    as the tracker has it (an archive run stopped between its two writes)."""
    tracker = load_tracker(read_book(path))
    files = archive_files(path, tracker.settings)
    workers = min(len(files), os.cpu_count() or 1)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            pending = pool.map(_archive_part, files, repeat(tracker.settings))
            live = _live_frame(tracker)  # meanwhile
            parts = list(pending)
    else:  # one archive or one core: a worker would only add its start-up time
        live = _live_frame(tracker)
        parts = [_archive_part(f, tracker.settings) for f in files]
    seen = {t.number for t in tracker.tickets if t.number}
    frames, tickets = [live], list(tracker.tickets)
    for frame, basics in parts:
        fresh = [b for b in basics if b[0] not in seen]
        seen.update(b[0] for b in fresh)
        frames.append(frame[frame.number.isin({b[0] for b in fresh})])
        tickets += [_review_ticket(*b) for b in fresh]
    frame = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    return Loaded(tracker, frame, tickets, files)


def _live_frame(tracker: Tracker) -> pd.DataFrame:
    entries = [(t, tracker.histories.get(t.number) or History()) for t in tracker.tickets]
    return ticket_frame(entries, tracker.settings, BusinessCalendar.from_settings(tracker.settings))


def _archive_part(file: Path, settings: Settings) -> tuple[pd.DataFrame, list[tuple]]:
    """One archive's frame, and (number, priority, status, reported, module, category, assignee) per ticket."""
    entries = archived_entries(file)
    frame = ticket_frame(entries, settings, BusinessCalendar.from_settings(settings), frozen=True)
    basics = [(t.number, t.priority, t.status, t.reported_at, *(t.text(k) for k in REVIEW_KEYS)) for t, _ in entries]
    return frame, basics


def _review_ticket(number: str, priority: str | None, status: str | None, reported: datetime | None,
                   *fields: str) -> Ticket:
    return Ticket(row=0, raw=dict(zip(REVIEW_KEYS, fields)), number=number, priority=priority, status=status,
                  times={"reported_at": reported})


def ticket_frame(entries, settings: Settings, calendar: BusinessCalendar, frozen: bool = False) -> pd.DataFrame:
    """One row per ticket with a 报修时间: codes, times, durations in minutes and SLA outcomes.

    ``final`` holds a done ticket's missed metrics. With ``frozen`` (archived tickets) they are the
    SLA columns as archived, judged by the targets in force then, so a later change of targets does
    not rewrite history; tickets archived without them are judged now. ``times`` keeps the SLA
    inputs of every ticket that can be open at a month's end (not done, or done in a later month
    than reported), for judging it as it stood then.
    """
    records = [_record(t, h, settings, calendar, frozen) for t, h in entries if t.reported_at is not None]
    frame = pd.DataFrame.from_records(records, columns=_COLUMNS)
    for key in _TIMES:
        frame[key] = pd.to_datetime(frame[key])
    frame["done"] = frame["done"].astype(bool)
    return frame


def _record(ticket: Ticket, history: History, settings: Settings, calendar: BusinessCalendar, frozen: bool) -> tuple:
    reported, assigned = ticket.reported_at, ticket.time("assigned_at")
    resolved = (ticket.time("resolved_at") or ticket.time("closed_at")) if ticket.done else None
    judged = ticket.done and ticket.priority is not None
    final = frozen_breaches(ticket.raw.get("sla_state"), ticket.raw.get("breached")) if judged and frozen else None
    may_be_open = resolved is None or (resolved.year, resolved.month) != (reported.year, reported.month)
    # The SLA inputs are built only when needed: most archived tickets need neither.
    times = ticket_times(ticket, history) if ticket.priority and (may_be_open or (judged and final is None)) else None
    if judged and final is None:
        final = evaluate(times, settings, calendar, reported).breached  # a done ticket's outcome ignores "now"
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
