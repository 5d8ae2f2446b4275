"""Refresh: number new rows, compute the SLA columns, log status changes, update the dashboard.

:func:`plan_refresh` is pure: tracker values and an explicit ``now`` in, a :class:`Refresh` out
(the change set plus what to tell the user). :func:`run_refresh` reads through an engine, plans,
and applies unless it is a dry run; the CLI and the Excel button both call it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import schema
from .calendar import BusinessCalendar
from .changeset import ChangeSet
from .collector import collector_paused
from .dashboard import TITLE as DASHBOARD_TITLE
from .dashboard import TITLE_CELL, DashboardRow, figures
from .log import History, log_row, status_change_text
from .messages import say
from .numbering import assign_numbers
from .reviews import read_reviews, review_flags
from .sla import SlaResult, TicketTimes, evaluate
from .tickets import Ticket
from .settings import local_now
from .tracker import Engine, Tracker, load_tracker
from .validation import Finding, check_tickets

AUTHOR = "track-xls"


@dataclass
class Refresh:
    changes: ChangeSet
    findings: list[Finding]
    numbered: list[str] = field(default_factory=list)
    logged: int = 0
    states: dict[str, int] = field(default_factory=dict)  # SLA state code -> count among open tickets
    warnings: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return any(f.blocking for f in self.findings)

    def summary(self, lang: str) -> list[str]:
        if self.blocked:
            blocking = [f for f in self.findings if f.blocking]
            return [say("refresh_blocked", lang, count=len(blocking)), *(f.line() for f in blocking)]
        lines = []
        if self.numbered:
            lines.append(say("numbered", lang, count=len(self.numbered), numbers=", ".join(self.numbered)))
        lines.append(say("overdue", lang, count=self.states.get("overdue", 0)))
        lines.append(say("at_risk", lang, count=self.states.get("at_risk", 0)))
        if self.logged:
            lines.append(say("logged", lang, count=self.logged))
        if self.findings:
            lines.append(say("warnings", lang, count=len(self.findings)))
        return lines + self.warnings


def run_refresh(engine: Engine, now: datetime | None = None, dry_run: bool = False,
                lang: str | None = None) -> tuple[Tracker, Refresh]:
    """Read, plan and (unless a dry run) apply; ``lang`` is the language of the findings' messages
    (default: the workbook's)."""
    with engine.locked(), collector_paused():  # nothing here makes cycles; a 10k tracker is 1M objects
        tracker = load_tracker(engine.read())
        result = plan_refresh(tracker, now or local_now(tracker.settings), lang)
        if result.changes and not result.blocked and not dry_run:
            engine.apply(result.changes)
    return tracker, result


def plan_refresh(tracker: Tracker, now: datetime, lang: str | None = None) -> Refresh:
    """The refresh of ``tracker`` at ``now``; values are written in the workbook's language,
    findings are told in ``lang`` (default: the workbook's)."""
    findings = check_tickets(tracker.tickets_table, tracker.tickets, now, lang or tracker.lang, tracker.reserved)
    result = Refresh(ChangeSet(), findings)
    if result.blocked:
        return result
    calendar = BusinessCalendar.from_settings(tracker.settings)
    _number_new_tickets(tracker, result)
    _stamp_done_times(tracker, result, now)
    _log_status_changes(tracker, result, now)
    flagged = review_flags(tracker.tickets, read_reviews(tracker.reviews_table))
    rows = []
    for ticket in tracker.tickets:
        sla = evaluate(ticket_times(ticket, tracker.histories.get(ticket.number)), tracker.settings, calendar, now)
        _write_computed(tracker, result.changes, ticket, sla, ticket.number in flagged)
        rows.append(dashboard_row(ticket, sla))
        if not ticket.done:
            result.states[sla.state] = result.states.get(sla.state, 0) + 1
    _write_dashboard(tracker, result.changes, rows, now)
    years = {t.reported_at.year for t in tracker.tickets if t.reported_at} | {now.year}
    result.warnings = calendar.warnings(sorted(years))
    result.changes = result.changes.only_changes(tracker.book)
    return result


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
    )


def dashboard_row(ticket: Ticket, sla: SlaResult) -> DashboardRow:
    pending = [due for due, done_key in ((sla.response_due, "first_response_at"),
                                         (sla.assignment_due, "assigned_at"),
                                         (sla.next_update_due, None),
                                         (sla.resolution_due, "resolved_at"))
               if due is not None and not ticket.done and (done_key is None or ticket.time(done_key) is None)]
    return DashboardRow(
        number=ticket.number or None, priority=ticket.priority, status=ticket.status,
        module=ticket.text("module") or None, assignee=ticket.text("assignee") or None,
        reported_at=ticket.reported_at, closed_at=ticket.time("closed_at"), resolved_at=ticket.time("resolved_at"),
        sla_state=sla.state, due=min(pending, default=None),
    )


def _write_dashboard(tracker: Tracker, changes: ChangeSet, rows: list[DashboardRow], now: datetime) -> None:
    sheet = tracker.book.sheet("dashboard")
    # Only the dashboard init made: a team's own sheet that happens to be called 看板 is theirs.
    if sheet is None or not DASHBOARD_TITLE.matches(sheet.value(*TITLE_CELL)):
        return
    for (r, c), value in figures(rows, now, tracker.lang).items():
        changes.set(sheet.name, r, c, value)


def _number_new_tickets(tracker: Tracker, result: Refresh) -> None:
    table = tracker.tickets_table
    taken = {t.number for t in tracker.tickets if t.number} | tracker.reserved
    new = [(t.row, t.reported_at) for t in tracker.tickets if not t.number]
    numbers = assign_numbers(new, taken)
    by_row = {t.row: t for t in tracker.tickets}
    for row, number in sorted(numbers.items(), key=lambda item: item[1]):
        result.changes.set(table.name, row, table.columns["ticket_no"], number)
        by_row[row].number = number
        result.numbered.append(number)


def _stamp_done_times(tracker: Tracker, result: Refresh, now: datetime) -> None:
    """A status set to 已解决/已关闭 by hand gets its time stamped, as a ticketing system would; one
    set back from it (a reopen: the Log's last status was done) gets the time cleared, as
    ``track-xls reopen`` does (see workbook/lifecycle.py)."""
    table = tracker.tickets_table
    stamps = {"resolved_at": ("resolved", "closed"), "closed_at": ("closed",)}
    for ticket in tracker.tickets:
        last = tracker.histories.get(ticket.number, History()).last_status()
        for key, statuses in stamps.items():
            if key not in table.columns:
                continue
            if ticket.status in statuses and ticket.time(key) is None:
                value = now
            elif ticket.status not in statuses and ticket.time(key) and last in statuses:
                value = None
            else:
                continue
            result.changes.set(table.name, ticket.row, table.columns[key], value)
            ticket.times[key] = value


def _log_status_changes(tracker: Tracker, result: Refresh, now: datetime) -> None:
    """Log a status that differs from the last logged one, at refresh time (pauses start here)."""
    log = tracker.log_table
    if log is None:
        return
    row = log.end_row
    for ticket in tracker.tickets:
        history = tracker.histories.setdefault(ticket.number, History())
        last = history.last_status() or "new"
        if ticket.status is None or ticket.status == last:
            continue
        message = status_change_text(last, ticket.status, log.lang)
        for col, value in log_row(log, ticket.number, now, AUTHOR, "status_change", message).items():
            result.changes.set(log.name, row, col, value)
        history.status_changes.append((now, ticket.status))
        row += 1
        result.logged += 1


def _write_computed(tracker: Tracker, changes: ChangeSet, ticket: Ticket, sla: SlaResult, review: bool) -> None:
    table, lang = tracker.tickets_table, tracker.lang
    values = {
        "response_due": sla.response_due,
        "assignment_due": sla.assignment_due,
        "next_update_due": sla.next_update_due,
        "resolution_due": sla.resolution_due,
        "sla_state": schema.SLA_STATES[sla.state](lang),
        "breached": schema.LIST_SEPARATOR(lang).join(schema.METRICS[m](lang) for m in sla.breached) or None,
        "review_needed": schema.YES(lang) if review else None,  # see workbook/reviews.py
    }
    for key, value in values.items():
        if key in table.columns:
            changes.set(table.name, ticket.row, table.columns[key], value)
