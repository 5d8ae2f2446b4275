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
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from . import schema
from .calendar import BusinessCalendar, WallClock, clock_for
from .settings import Settings, Target

Pause = tuple[datetime, datetime | None]


@dataclass(frozen=True)
class TicketTimes:
    priority: str  # "P1".."P4"
    reported_at: datetime
    first_response_at: datetime | None = None
    assigned_at: datetime | None = None
    resolved_at: datetime | None = None
    updates: tuple[datetime, ...] = ()  # progress updates (Log 进展同步 rows and 最近进展时间), any order
    pauses: tuple[Pause, ...] = ()  # 等待报修人 intervals; end None = still waiting
    done: bool = False  # status 已解决 or 已关闭
    known_from: datetime | None = None  # an imported ticket's import time


@dataclass(frozen=True)
class SlaResult:
    response_due: datetime | None
    assignment_due: datetime | None
    next_update_due: datetime | None
    resolution_due: datetime | None
    state: str  # a key of schema.SLA_STATES
    breached: tuple[str, ...]  # keys of schema.METRICS, in that order
    used: dict[str, float] = field(default_factory=dict)  # share of each running target used at now


class _Outcome(NamedTuple):  # a tuple: four made per ticket on every refresh
    due: datetime | None = None
    breached: bool = False
    used: float | None = None  # None when the target is not running


Clock = BusinessCalendar | WallClock


def target_minutes(target: Target, calendar: BusinessCalendar) -> float:
    """A target's length in minutes of its clock; a working day is one day of the calendar's working time."""
    if target.unit == "workday":
        return target.amount * calendar.day_minutes
    return target.amount * (60 if target.unit == "h" else 1)


@lru_cache(maxsize=256)  # a handful of targets, asked for by every ticket of a 100,000-ticket refresh
def _clocked(target: Target | None, calendar: BusinessCalendar) -> tuple[Clock, float] | None:
    return None if target is None else (clock_for(target.clock, calendar), target_minutes(target, calendar))


def evaluate(t: TicketTimes, settings: Settings, calendar: BusinessCalendar, now: datetime) -> SlaResult:
    # Run for every ticket on every refresh: lookups and outcomes spelled out, no helper dicts.
    targets, priority = settings.targets, t.priority
    completed = completions(t)
    known_from = t.known_from
    assigned = completed["assignment"]
    response = _once(_clocked(targets.get((priority, "response")), calendar), t.reported_at, completed["response"],
                     t.done, now, unknown_before=known_from if t.first_response_at is None else None)
    assignment = _once(_clocked(targets.get((priority, "assignment")), calendar), t.reported_at, assigned, t.done,
                       now, unknown_before=known_from if t.assigned_at is None else None)
    update_clock = _clocked(targets.get((priority, "update")), calendar)
    resolution_clock = _clocked(targets.get((priority, "resolution")), calendar)
    pauses = clock_pauses(t) if t.pauses else ()
    update = _recurring(update_clock, t, assigned and max(assigned, known_from or assigned), pauses, now)
    # Resolution needs no such rule: open means not resolved, done without a time is not judged.
    resolution = _once(resolution_clock, t.reported_at, completed["resolution"], t.done, now, pauses)
    outcomes = (response, assignment, update, resolution)  # in the order of schema.METRICS
    breached = tuple(m for m, o in zip(schema.METRICS, outcomes) if o.breached)
    used = {m: o.used for m, o in zip(schema.METRICS, outcomes) if o.used is not None}
    if t.done:
        state = "met_late" if breached else "met"
    elif breached:
        state = "overdue"
    elif any(u >= settings.warn_ratio for u in used.values()):
        state = "at_risk"
    else:
        state = "on_track"
    return SlaResult(response.due, assignment.due, update.due, resolution.due, state, breached, used)


def completions(t: TicketTimes) -> dict[str, datetime | None]:
    """When each one-off metric was completed, by the rules above; None while it runs (or never recorded)."""
    responded = t.first_response_at or min(
        (x for x in (t.assigned_at, t.resolved_at, *t.updates) if x is not None), default=None)
    return {"response": responded, "assignment": t.assigned_at or t.resolved_at, "resolution": t.resolved_at}


def clock_pauses(t: TicketTimes) -> list[Pause]:
    """The intervals the update and resolution clocks stand still, sorted and merged."""
    return _merged(t.pauses, t.resolved_at if t.done else None)


def _once(clocked: tuple[Clock, float] | None, start: datetime, completed: datetime | None, done: bool,
          now: datetime, pauses: Sequence[Pause] = (), unknown_before: datetime | None = None) -> _Outcome:
    """A one-off target from ``start``, met when ``completed`` is not after the deadline; not judged
    when the deadline came before ``unknown_before``."""
    if clocked is None:
        return _Outcome()
    clock, minutes = clocked
    due = _deadline(clock, minutes, start, pauses)
    if due is None:
        return _Outcome()
    if unknown_before is not None and due <= unknown_before:
        return _Outcome(due)
    if completed is not None:
        return _Outcome(due, completed > due)
    if done:
        return _Outcome(due)  # done without the event ever recorded: not judged
    return _Outcome(due, now > due, _used(clock, minutes, due, now))


def _recurring(clocked: tuple[Clock, float] | None, t: TicketTimes, assigned: datetime | None,
               pauses: list[Pause], now: datetime) -> _Outcome:
    """The update target: each gap between anchors, the last one open until the ticket is done."""
    if clocked is None or assigned is None:
        return _Outcome()  # no update clock before assignment
    clock, minutes = clocked
    end = t.resolved_at if t.done else None
    anchors = [assigned, *sorted({u for u in t.updates if u > assigned and (end is None or u < end)})]
    breached = False
    for anchor, stop in zip(anchors, [*anchors[1:], end]):
        due = _deadline(clock, minutes, anchor, pauses)
        breached = breached or (due is not None and stop is not None and stop > due)
    # `due` is now the deadline of the last gap, the one still open unless the ticket is done.
    if t.done or due is None:
        return _Outcome(None, breached)
    return _Outcome(due, breached or now > due, _used(clock, minutes, due, now))


def _deadline(clock: Clock, minutes: float, start: datetime, pauses: Sequence[Pause]) -> datetime | None:
    """``minutes`` after ``start`` on ``clock``, pushed back by the pauses that began before it ran out."""
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


def _used(clock: Clock, minutes: float, due: datetime, now: datetime) -> float:
    """Share of the target used at ``now``: 1 at the deadline, above 1 past it, 0 before the start."""
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
