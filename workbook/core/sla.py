"""SLA deadlines and states for one ticket: pure, from datetimes, Settings, a calendar and an explicit now.

Rules SPEC leaves open, decided here:

- Response: when 首次响应时间 is empty, the earliest of assignment, a progress update or resolution
  counts as the first response (whoever did any of them has answered the reporter).
- Assignment: when 分派时间 is empty, resolution counts as assignment (someone owned it to fix it).
  So a done ticket that never recorded a response or assignment is judged as if both happened at
  its resolution; with no resolution time either, the metric is not judged (never breached).
- Pauses (等待报修人) stop the update and resolution clocks, measured on that target's clock. A pause
  that starts at or after the deadline does not undo the miss. While a pause is open, the deadline is
  None and the running clock cannot breach; a done ticket's open pause ends at its resolution.
- Update is recurring from assignment: every gap between consecutive anchors (assignment, then the
  updates in time order, and for a done ticket its resolution) must stay within the interval; one
  late gap breaches "update" for good. Updates before assignment (or after a done ticket's
  resolution) are not anchors.
- A metric breaches when it completed after its deadline, or, still running, when now is past it.
  Completing exactly at the deadline is met.
- An imported ticket (``known_from``: its import time) is not judged on a one-off target whose
  deadline had passed by the import when the row does not record that target's own time: what
  happened before is not known. Its update clock starts at the import at the earliest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import compress
from typing import NamedTuple

from . import schema
from .calendar import BusinessCalendar, WallClock, clock_for
from .settings import Settings, Target

Pause = tuple[datetime, datetime | None]


@dataclass
class TicketTimes:  # not frozen: a frozen dataclass's __init__ costs several times as much, per ticket per refresh
    priority: str  # "P1".."P4"
    reported_at: datetime
    first_response_at: datetime | None = None
    assigned_at: datetime | None = None
    resolved_at: datetime | None = None
    updates: tuple[datetime, ...] = ()  # progress updates (Log 进展同步 rows and 最近进展时间), any order
    pauses: tuple[Pause, ...] = ()  # 等待报修人 intervals; end None = still waiting
    done: bool = False  # status 已解决 or 已关闭
    known_from: datetime | None = None  # an imported ticket's import time


class SlaResult(NamedTuple):  # a tuple, not a dataclass: one made per ticket on every refresh
    response_due: datetime | None
    assignment_due: datetime | None
    next_update_due: datetime | None
    resolution_due: datetime | None
    state: str  # a key of schema.SLA_STATES
    breached: tuple[str, ...]  # keys of schema.METRICS, in that order
    used: dict[str, float]  # share of each running target used at now


Clock = BusinessCalendar | WallClock


class _Clocked(NamedTuple):
    clock: Clock
    minutes: float  # the target on its clock
    length: int | timedelta  # the same in the clock's own unit (its length()), converted once for all tickets


# A target's outcome for one ticket: its deadline, whether it was missed, and the share of it used
# at now (None when it is not running). Plain tuples: four are made per ticket on every refresh.
_Outcome = tuple[datetime | None, bool, float | None]
_NOT_JUDGED: _Outcome = (None, False, None)


def target_minutes(target: Target, calendar: BusinessCalendar) -> float:
    """A target's length in minutes of its clock; a working day is one day of the calendar's working time."""
    if target.unit == "workday":
        return target.amount * calendar.day_minutes
    return target.amount * (60 if target.unit == "h" else 1)


@lru_cache(maxsize=256)  # a handful of targets, asked for by each ticket that evaluate() is called for
def _clocked(target: Target | None, calendar: BusinessCalendar) -> _Clocked | None:
    if target is None:
        return None
    clock, minutes = clock_for(target.clock, calendar), target_minutes(target, calendar)
    return _Clocked(clock, minutes, clock.length(minutes))


class _Clocks(dict[str, tuple[_Clocked | None, ...]]):
    """Priority -> its response, assignment, update and resolution targets, each looked up on first use."""

    def __init__(self, settings: Settings, calendar: BusinessCalendar):
        super().__init__()
        self._targets, self._calendar = settings.targets, calendar

    def __missing__(self, priority: str) -> tuple[_Clocked | None, ...]:
        clocks = self[priority] = tuple(
            _clocked(self._targets.get((priority, metric)), self._calendar) for metric in schema.METRICS)
        return clocks


class Rules:
    """The targets of ``settings`` on the clocks of ``calendar``, looked up once per priority: a
    refresh evaluates every ticket with one."""

    def __init__(self, settings: Settings, calendar: BusinessCalendar):
        self._clocks, self._warn_ratio = _Clocks(settings, calendar), settings.warn_ratio

    def evaluate(self, t: TicketTimes, now: datetime) -> SlaResult:
        response_clock, assignment_clock, update_clock, resolution_clock = self._clocks[t.priority]
        responded, assigned, resolved = _completed(t)
        reported, done, known_from = t.reported_at, t.done, t.known_from
        pauses = clock_pauses(t) if t.pauses else ()
        response_due, response_missed, response_used = _once(
            response_clock, reported, responded, done, now, (), known_from if t.first_response_at is None else None)
        assignment_due, assignment_missed, assignment_used = _once(
            assignment_clock, reported, assigned, done, now, (), known_from if t.assigned_at is None else None)
        # Resolution needs no such rule: open means not resolved, done without a time is not judged.
        # Judged before update: it starts from the report, as assignment does, and the calendar
        # remembers where the last start it placed lies.
        resolution_due, resolution_missed, resolution_used = _once(resolution_clock, reported, resolved, done, now,
                                                                   pauses)
        update_from = assigned if known_from is None or assigned is None else max(assigned, known_from)
        update_due, update_missed, update_used = _recurring(update_clock, t, update_from, pauses, now)
        missed = (response_missed, assignment_missed, update_missed, resolution_missed)  # schema.METRICS' order
        breached = tuple(compress(schema.METRICS, missed)) if any(missed) else ()
        if done:  # no target of a done ticket is running: nothing is used
            state, used = "met_late" if breached else "met", {}
        else:
            shares = (response_used, assignment_used, update_used, resolution_used)
            used = {m: share for m, share in zip(schema.METRICS, shares) if share is not None}
            if breached:
                state = "overdue"
            elif any(u >= self._warn_ratio for u in used.values()):
                state = "at_risk"
            else:
                state = "on_track"
        return SlaResult(response_due, assignment_due, update_due, resolution_due, state, breached, used)


def evaluate(t: TicketTimes, settings: Settings, calendar: BusinessCalendar, now: datetime) -> SlaResult:
    """One ticket's deadlines and state at ``now``; for many tickets, make one :class:`Rules`."""
    return Rules(settings, calendar).evaluate(t, now)


def completions(t: TicketTimes) -> dict[str, datetime | None]:
    """When each one-off metric was completed, by the rules above; None while it runs (or never recorded)."""
    return dict(zip(("response", "assignment", "resolution"), _completed(t)))


def _completed(t: TicketTimes) -> tuple[datetime | None, datetime | None, datetime | None]:
    """When the response, the assignment and the resolution were completed."""
    responded = t.first_response_at or min(
        (x for x in (t.assigned_at, t.resolved_at, *t.updates) if x is not None), default=None)
    return responded, t.assigned_at or t.resolved_at, t.resolved_at


def clock_pauses(t: TicketTimes) -> list[Pause]:
    """The intervals the update and resolution clocks stand still, sorted and merged."""
    return _merged(t.pauses, t.resolved_at if t.done else None)


def _once(clocked: _Clocked | None, start: datetime, completed: datetime | None, done: bool,
          now: datetime, pauses: Sequence[Pause] = (), unknown_before: datetime | None = None) -> _Outcome:
    """A one-off target from ``start``, met when ``completed`` is not after the deadline; not judged
    when the deadline came before ``unknown_before``."""
    if clocked is None:
        return _NOT_JUDGED
    due = _deadline(clocked, start, pauses)
    if due is None:
        return _NOT_JUDGED
    if unknown_before is not None and due <= unknown_before:
        return due, False, None
    if completed is not None:
        return due, completed > due, None
    if done:
        return due, False, None  # done without the event ever recorded: not judged
    return due, now > due, _used(clocked, due, now)


def _recurring(clocked: _Clocked | None, t: TicketTimes, assigned: datetime | None,
               pauses: list[Pause], now: datetime) -> _Outcome:
    """The update target: each gap between anchors, the last one open until the ticket is done."""
    if clocked is None or assigned is None:
        return _NOT_JUDGED  # no update clock before assignment
    end = t.resolved_at if t.done else None
    anchors = [assigned, *sorted({u for u in t.updates if u > assigned and (end is None or u < end)})]
    breached = False
    for anchor, stop in zip(anchors, [*anchors[1:], end]):
        due = _deadline(clocked, anchor, pauses)
        breached = breached or (due is not None and stop is not None and stop > due)
    # `due` is now the deadline of the last gap, the one still open unless the ticket is done.
    if t.done or due is None:
        return None, breached, None
    return due, breached or now > due, _used(clocked, due, now)


def _deadline(clocked: _Clocked, start: datetime, pauses: Sequence[Pause]) -> datetime | None:
    """The target's minutes after ``start`` on its clock, pushed back by the pauses that began before they ran out."""
    clock, minutes, length = clocked
    if not pauses:  # most tickets: the length converted once for all of them
        return clock.after(start, length)
    paused = 0.0
    for pause_start, pause_end in pauses:
        if pause_end is not None and pause_end <= start:
            continue
        if pause_start >= clock.add(start, minutes + paused):
            break  # the clock ran out before this pause: waiting now does not undo the miss
        if pause_end is None:
            return None  # waiting for the reporter: the clock is stopped
        paused += clock.working_minutes(max(pause_start, start), pause_end)
    return clock.add(start, minutes + paused)


def _used(clocked: _Clocked, due: datetime, now: datetime) -> float:
    """Share of the target used at ``now``: 1 at the deadline, above 1 past it, 0 before the start."""
    clock, minutes, _ = clocked
    if now > due:
        return 1 + clock.working_minutes(due, now) / minutes
    return max(0.0, 1 - clock.working_minutes(now, due) / minutes)


def _merged(pauses: tuple[Pause, ...], close_at: datetime | None) -> list[Pause]:
    """Pauses sorted and joined where they overlap; an open pause ends at ``close_at`` when given."""
    out: list[Pause] = []
    for start, end in sorted(pauses, key=lambda p: p[0]):
        end = end if end is not None else close_at
        if out and (out[-1][1] is None or start <= out[-1][1]):
            last_start, last_end = out[-1]
            out[-1] = (last_start, None if last_end is None or end is None else max(last_end, end))
        else:
            out.append((start, end))
    return out
