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

from . import schema
from .book import Value
from .calendar import BusinessCalendar
from .changeset import ChangeSet, same_value
from .dashboard import TITLE as DASHBOARD_TITLE
from .dashboard import TITLE_CELL, DashboardRow, Deadline, figures
from .log import History
from .normalize import choice_lists
from .reviews import read_reviews, review_flags
from .sla import SlaResult, TicketTimes, evaluate
from .tickets import Ticket
from .tracker import Tracker, updated
from .validation import EARLIEST, Finding, check_tickets

PROBLEM_SEPARATOR = "; "


@dataclass(frozen=True)
class Computed:
    values: dict[str, Value]  # schema key of a computed column -> the cell's value
    state: str | None  # the SLA state as evaluated (a code of schema.SLA_STATES); None when it cannot be
    due: datetime | None  # the earliest deadline still pending
    needs_fix: bool = False  # the row shows 待补全 instead of its state
    sla: SlaResult | None = None  # as evaluated, for the dashboard's deadline lists


@dataclass
class Current:
    """The computed columns of every ticket and the dashboard, as a change set."""

    changes: ChangeSet
    findings: list[Finding]  # every row problem, told in the language asked for
    states: dict[str, int] = field(default_factory=dict)  # SLA state code -> count among open tickets


def computed_columns(tracker: Tracker, tickets: Iterable[Ticket], now: datetime,
                     findings: Iterable[Finding] = ()) -> dict[int, Computed]:
    """Row -> the computed columns of each of ``tickets`` at ``now``; ``findings`` (told in the
    workbook's language) mark their rows and fill the Problems column."""
    lang = tracker.lang
    calendar = BusinessCalendar.from_settings(tracker.settings)
    flagged = review_flags(tracker.tickets, read_reviews(tracker.reviews_table))
    problems: dict[int, list[Finding]] = {}
    for finding in findings:
        problems.setdefault(finding.row, []).append(finding)
    out = {}
    for ticket in tickets:
        sla = _evaluate(tracker, ticket, calendar, now)
        found = problems.get(ticket.row, [])
        needs_fix = sla is None or any(f.incomplete for f in found)
        shown = "needs_fix" if needs_fix else sla.state
        out[ticket.row] = Computed({
            "response_due": sla and sla.response_due,
            "assignment_due": sla and sla.assignment_due,
            "next_update_due": sla and sla.next_update_due,
            "resolution_due": sla and sla.resolution_due,
            "sla_state": schema.SLA_STATES[shown](lang),
            "breached": schema.LIST_SEPARATOR(lang).join(schema.METRICS[m](lang) for m in sla.breached)
            if sla and sla.breached else None,
            "review_needed": schema.YES(lang) if ticket.number in flagged else None,  # see core/reviews.py
            "problems": PROBLEM_SEPARATOR.join(f"{f.cell} {f.message}" for f in found) or None,
        }, sla.state if sla else None, min((d.due for d in pending(ticket, sla)), default=None), needs_fix, sla)
    return out


def _evaluate(tracker: Tracker, ticket: Ticket, calendar: BusinessCalendar, now: datetime) -> SlaResult | None:
    if ticket.reported_at is None or ticket.priority is None or ticket.reported_at < EARLIEST:
        return None  # no clock starts without both (nor from a typo decades back: no cell could hold its deadlines)
    return evaluate(ticket_times(ticket, tracker.histories.get(ticket.number)), tracker.settings, calendar, now)


def ticket_times(ticket: Ticket, history: History | None) -> TicketTimes:
    history = history or History()
    last_update = ticket.time("last_update_at")
    updates = set(history.updates) | ({last_update} if last_update else set())
    return TicketTimes(
        priority=ticket.priority,
        reported_at=ticket.reported_at,
        first_response_at=ticket.time("first_response_at"),
        assigned_at=ticket.time("assigned_at"),
        resolved_at=ticket.time("resolved_at") or ticket.time("closed_at"),
        updates=tuple(sorted(updates)),
        pauses=history.pauses(),
        done=ticket.done,
        known_from=ticket.time("imported_at"),
    )


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
    told = own if (lang or tracker.lang) == tracker.lang else \
        check_tickets(tracker.tickets_table, tracker.tickets, now, lang, tracker.reserved, lists)
    result = Current(ChangeSet(), told)
    table = tracker.tickets_table
    computed = computed_columns(tracker, tracker.tickets, now, own)
    # Compared here rather than by only_changes: a refresh plans 80k cells at 10k tickets.
    edits: dict[tuple[int, int], Value] = {}
    rows = []
    cells, columns = table.sheet.rows, table.columns
    for ticket in tracker.tickets:
        values = computed[ticket.row]
        row = cells[ticket.row]
        for key, value in values.values.items():
            col = columns.get(key)
            if col is not None and not same_value(row[col] if col < len(row) else None, value):
                edits[(ticket.row, col)] = value
        rows.append(dashboard_row(ticket, values, tracker.settings.warn_ratio))
        if not ticket.done:
            shown = "needs_fix" if values.needs_fix else values.state
            result.states[shown] = result.states.get(shown, 0) + 1
    if edits:
        result.changes.cells[table.name] = edits
    dashboard = ChangeSet()
    _write_dashboard(tracker, dashboard, rows, now)
    result.changes.cells.update(dashboard.only_changes(tracker.book).cells)  # (only the dashboard compared again)
    return result


def dashboard_row(ticket: Ticket, computed: Computed, warn_ratio: float = 1.0) -> DashboardRow:
    return DashboardRow(
        number=ticket.number or None, priority=ticket.priority, status=ticket.status,
        module=ticket.text("module") or None, assignee=ticket.text("assignee") or None,
        reported_at=ticket.reported_at, closed_at=ticket.time("closed_at"), resolved_at=ticket.time("resolved_at"),
        sla_state=computed.state, due=computed.due, deadlines=tuple(pending(ticket, computed.sla, warn_ratio)),
        assigned_at=ticket.time("assigned_at"), satisfaction=ticket.satisfaction,
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
