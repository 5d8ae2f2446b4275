"""What track-xls computes from the tickets: each ticket's deadlines, SLA state, breaches, review flag
and what needs fixing, and the dashboard figures.

:func:`computed_columns` is the one place these values are made. Refresh writes them for every
ticket; :func:`keep_current` adds them (and the dashboard) to the change set of any other writing
command — a lifecycle step, an archive, a review, an import — so one atomic write leaves the
workbook as a refresh would have. Archive freezes them into the archived rows.

A row whose SLA state cannot be known (no readable report time, priority or status, a number that
is malformed or used twice) shows 待补全 / Needs Fix instead of a state; its deadlines are written
as far as they can be computed, and 待修正问题 / Problems lists every finding of the row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from . import schema
from .book import Value
from .calendar import BusinessCalendar
from .changeset import ChangeSet, same_value
from .dashboard import TITLE as DASHBOARD_TITLE
from .dashboard import TITLE_CELL, DashboardRow, Deadline, figures
from .log import History
from .normalize import choice_lists
from .reviews import read_reviews, review_flags
from .sla import Rules, SlaResult, TicketTimes
from .tickets import Ticket
from .tracker import Tracker, updated
from .validation import EARLIEST, Finding, check_tickets

PROBLEM_SEPARATOR = "; "


class Computed(NamedTuple):  # a tuple, not a frozen dataclass: one made per ticket on every refresh
    values: dict[str, Value]  # schema key of a computed column -> the cell's value
    state: str | None  # the SLA state as evaluated (a code of schema.SLA_STATES); None when it cannot be
    due: datetime | None  # the earliest deadline still pending
    needs_fix: bool = False  # the row shows 待补全 instead of its state
    deadlines: tuple[Deadline, ...] = ()  # every deadline still pending, for the dashboard's lists


@dataclass
class Current:
    """The computed columns of every ticket and the dashboard, as a change set."""

    changes: ChangeSet
    findings: list[Finding]  # every row problem, told in the language asked for
    states: dict[str, int] = field(default_factory=dict)  # SLA state code -> count among open tickets
    rows: dict[int, DashboardRow] = field(default_factory=dict)  # row -> what the dashboard counted of its ticket


def computed_columns(tracker: Tracker, tickets: Iterable[Ticket], now: datetime,
                     findings: Iterable[Finding] = ()) -> dict[int, Computed]:
    """Row -> the computed columns of each of ``tickets`` at ``now``; ``findings`` (told in the
    workbook's language) mark their rows and fill the Problems column."""
    lang = tracker.lang
    rules = Rules(tracker.settings, BusinessCalendar.from_settings(tracker.settings))
    flagged = review_flags(tracker.tickets, read_reviews(tracker.reviews_table))
    problems: dict[int, list[Finding]] = {}
    for finding in findings:
        problems.setdefault(finding.row, []).append(finding)
    # Worked out once rather than per ticket: the labels, and what the rows with findings show.
    states, yes = {code: label(lang) for code, label in schema.SLA_STATES.items()}, schema.YES(lang)
    metrics, separator = {code: label(lang) for code, label in schema.METRICS.items()}, schema.LIST_SEPARATOR(lang)
    warn_ratio = tracker.settings.warn_ratio
    incomplete = {row for row, found in problems.items() if any(f.incomplete for f in found)}
    told = {row: PROBLEM_SEPARATOR.join(f"{f.cell} {f.message}" for f in found) for row, found in problems.items()}
    out = {}
    for ticket in tickets:
        row = ticket.row
        sla = _evaluate(tracker, ticket, rules, now)
        needs_fix = sla is None or row in incomplete
        deadlines = () if ticket.done else tuple(pending(ticket, sla, warn_ratio))  # most are done: no call
        out[row] = Computed({
            "response_due": sla and sla.response_due,
            "assignment_due": sla and sla.assignment_due,
            "next_update_due": sla and sla.next_update_due,
            "resolution_due": sla and sla.resolution_due,
            "sla_state": states["needs_fix" if needs_fix else sla.state],
            "breached": separator.join(metrics[m] for m in sla.breached) if sla and sla.breached else None,
            "review_needed": yes if ticket.number in flagged else None,  # see core/reviews.py
            "problems": told.get(row),
        }, sla.state if sla else None, min(d.due for d in deadlines) if deadlines else None, needs_fix, deadlines)
    return out


def _evaluate(tracker: Tracker, ticket: Ticket, rules: Rules, now: datetime) -> SlaResult | None:
    reported = ticket.reported_at
    if reported is None or ticket.priority is None or reported < EARLIEST:
        return None  # no clock starts without both (nor from a typo decades back: no cell could hold its deadlines)
    return rules.evaluate(ticket_times(ticket, tracker.histories.get(ticket.number)), now)


def ticket_times(ticket: Ticket, history: History | None) -> TicketTimes:
    history = history or History()
    times = ticket.times
    return TicketTimes(  # in the order of its fields: keywords would cost a fifth of this function
        ticket.priority,
        times.get("reported_at"),
        times.get("first_response_at"),
        times.get("assigned_at"),
        times.get("resolved_at") or times.get("closed_at"),
        _updates(history.updates, times.get("last_update_at")),
        history.pauses(),
        ticket.done,
        times.get("imported_at"),  # known_from
    )


def _updates(logged: list[datetime], last_update: datetime | None) -> tuple[datetime, ...]:
    """The logged progress updates and 最近进展时间, without repeats, in time order."""
    if len(logged) <= 1 and (last_update is None or last_update in logged):
        return tuple(logged)  # the usual shape: at most one update, the row's time logged as well
    return tuple(sorted({*logged, last_update} - {None}))


def pending(ticket: Ticket, sla: SlaResult | None, warn_ratio: float = 1.0) -> list[Deadline]:
    """The deadlines still running; ``warn_ratio`` (预警阈值): one whose target is used that far is
    about to breach."""
    if sla is None or ticket.done:
        return []
    return [Deadline(metric, due, sla.used.get(metric, 0) >= warn_ratio)
            for metric, due, done_key in (("response", sla.response_due, "first_response_at"),
                                          ("assignment", sla.assignment_due, "assigned_at"),
                                          ("update", sla.next_update_due, None),
                                          ("resolution", sla.resolution_due, "resolved_at"))
            if due is not None and (done_key is None or ticket.time(done_key) is None)]


def plan_current(tracker: Tracker, now: datetime, lang: str | None = None) -> Current:
    """The computed columns of every ticket and the dashboard at ``now``, as the edits that change
    them; findings are told in ``lang`` (default: the workbook's), cells in the workbook's language."""
    lists = choice_lists(tracker)
    own = check_tickets(tracker.tickets_table, tracker.tickets, now, tracker.lang, tracker.reserved, lists)
    told = own if (lang or tracker.lang) == tracker.lang else [finding.told(lang) for finding in own]
    result = Current(ChangeSet(), told)
    table = tracker.tickets_table
    computed = computed_columns(tracker, tracker.tickets, now, own)
    # Compared here rather than by only_changes: a refresh plans 80k cells at 10k tickets.
    edits: dict[tuple[int, int], Value] = {}
    cells = table.sheet.rows
    placed = [(key, col) for key in schema.COMPUTED_KEYS if (col := table.columns.get(key)) is not None]
    for ticket in tracker.tickets:
        values = computed[ticket.row]
        row = cells[ticket.row]
        for key, col in placed:
            value = values.values[key]
            if not same_value(row[col] if col < len(row) else None, value):
                edits[(ticket.row, col)] = value
        result.rows[ticket.row] = dashboard_row(ticket, values)
        if not ticket.done:
            shown = "needs_fix" if values.needs_fix else values.state
            result.states[shown] = result.states.get(shown, 0) + 1
    if edits:
        result.changes.cells[table.name] = edits
    dashboard = ChangeSet()
    counted = result.rows | {t.row: t.dashboard for t in tracker.settled}
    rows = [counted[r] for r in sorted(counted)] if tracker.settled else list(counted.values())  # in sheet order
    _write_dashboard(tracker, dashboard, rows, now)
    result.changes.cells.update(dashboard.only_changes(tracker.book).cells)  # (only the dashboard compared again)
    return result


def dashboard_row(ticket: Ticket, computed: Computed) -> DashboardRow:
    times = ticket.times
    return DashboardRow(
        number=ticket.number or None, priority=ticket.priority, status=ticket.status,
        module=ticket.text("module") or None, assignee=ticket.text("assignee") or None,
        reported_at=times.get("reported_at"), closed_at=times.get("closed_at"), resolved_at=times.get("resolved_at"),
        sla_state=computed.state, due=computed.due, deadlines=computed.deadlines,
        assigned_at=times.get("assigned_at"), satisfaction=ticket.satisfaction,
    )


def _write_dashboard(tracker: Tracker, changes: ChangeSet, rows: list[DashboardRow], now: datetime) -> None:
    sheet = tracker.book.sheet("dashboard")
    # Only the dashboard init made: a team's own sheet that happens to be called 看板 is theirs.
    if sheet is None or not DASHBOARD_TITLE.matches(sheet.value(*TITLE_CELL)):
        return
    for (r, c), value in figures(rows, now, tracker.lang, tracker.settings.compliance_target).items():
        changes.set(sheet.name, r, c, value)


def keep_current(tracker: Tracker, changes: ChangeSet, now: datetime, after: Tracker | None = None) -> ChangeSet:
    """``changes`` plus the computed columns and dashboard of the workbook they leave (``after``,
    when the caller has it already), in the coordinates of the workbook as it is (rows ``changes``
    removes taken into account)."""
    after = after or updated(tracker, changes)
    return changes.then(plan_current(after, now).changes).only_changes(tracker.book)
