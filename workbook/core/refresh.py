"""Refresh: number new rows, stamp done times, log status changes, then compute every ticket's
columns and the dashboard.

:func:`plan_refresh` is pure and leaves the tracker it is given as it was: tracker values and an
explicit ``now`` in, a :class:`Refresh` out (the change set plus what to tell the user). Values typed
another way are made right first (:mod:`workbook.core.normalize`). A problem in a row never stops it: the row gets what can be computed, is marked (see
:mod:`workbook.core.computed`) and listed. :func:`run_refresh` reads through an engine, plans, and
applies unless it is a dry run; the CLI and the Excel button both call it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .archive_index import restore_index
from .book import BookData
from .calendar import BusinessCalendar
from .changeset import ChangeSet
from .collector import collector_paused
from .computed import plan_current
from .dashboard import DashboardRow
from .limits import check_limits
from .log import History, log_row, status_change_text
from .messages import say
from .normalize import Fix, plan_fixes
from .numbering import assign_numbers
from .row_digests import Known, Skim
from .settings import local_now
from .settled import Settled, settle, settled_tracker
from .tracker import Engine, Tracker, load_tracker, updated
from .validation import EARLIEST, Finding, calendar_years

AUTHOR = "track-xls"
# Rows whose number is not theirs alone: never renumbered, never logged for (their Log is shared).
UNCERTAIN_NUMBER = frozenset({"number_format", "duplicate_number"})


@dataclass
class Refresh:
    changes: ChangeSet
    findings: list[Finding]
    fixes: list[Fix] = field(default_factory=list)  # values made right in their cells
    numbered: list[str] = field(default_factory=list)
    logged: int = 0
    states: dict[str, int] = field(default_factory=dict)  # SLA state code -> count among open tickets
    warnings: list[str] = field(default_factory=list)
    counted: dict[int, DashboardRow] = field(default_factory=dict)  # row -> what the dashboard counted of it

    def summary(self, lang: str) -> list[str]:
        lines = []
        if self.numbered:
            lines.append(say("numbered", lang, count=len(self.numbered), numbers=", ".join(self.numbered)))
        lines.append(say("overdue", lang, count=self.states.get("overdue", 0)))
        lines.append(say("at_risk", lang, count=self.states.get("at_risk", 0)))
        if self.logged:
            lines.append(say("logged", lang, count=self.logged))
        if self.fixes:
            lines.append(say("fixed", lang, count=len(self.fixes)))
        if self.states.get("needs_fix"):
            lines.append(say("needs_fix", lang, count=self.states["needs_fix"]))
        if self.findings:
            lines.append(say("row_problems", lang, count=len(self.findings)))
            lines += [f"  {f.line()}" for f in self.findings]
        return lines + self.warnings


class Memory(Protocol):
    """Where refreshes of one workbook keep what they settled (see :mod:`workbook.core.settled`)."""

    def recall(self) -> Settled | None: ...

    def keep(self, settled: Settled | None) -> None: ...


class SkimmingEngine(Engine, Protocol):
    """An engine that can leave rows out of its read, and tell the digests of a workbook's rows."""

    def read_known(self, known: dict[str, Known], context: bytes) -> BookData: ...

    def skim(self, end_rows: dict[str, int | None]) -> tuple[dict[str, Skim], bytes]: ...


def run_refresh(engine: Engine, now: datetime | None = None, dry_run: bool = False,
                lang: str | None = None, memory: Memory | None = None) -> tuple[Tracker, Refresh]:
    """Read, plan and (unless a dry run) apply; ``lang`` is the language of the findings' messages
    (default: the workbook's). With a ``memory`` (and an engine that skims), the tickets settled by
    the last refresh are not read again, and what this one settles is kept for the next."""
    with engine.locked(), collector_paused():  # nothing here makes cycles; a 10k tracker is 1M objects
        recalled = memory.recall() if memory else None
        tracker = _read(engine, recalled)
        result = plan_refresh(tracker, now or local_now(tracker.settings), lang)
        if result.changes and not dry_run:
            engine.apply(result.changes)
        if memory is not None and not dry_run and (settled := _settle(engine, tracker, result)) != recalled:
            memory.keep(settled)
    return tracker, result


def _read(engine: Engine, settled: Settled | None) -> Tracker:
    if settled is None or not settled.tickets:  # nothing to leave out: a plain read is the quickest
        return load_tracker(engine.read())
    book = engine.read_known(settled.known(), settled.book_context)
    if not book.skims:  # read whole: the workbook's styles or shared strings changed
        return load_tracker(book)
    return settled_tracker(book, settled) or load_tracker(engine.read())


def _settle(engine: SkimmingEngine, tracker: Tracker, result: Refresh) -> Settled | None:
    """What the workbook as written lets the next refresh leave out. The rows left as they were
    keep the digests the read took, when it took them; the context is taken again (a write may add
    a date style)."""
    skims, context = engine.skim({} if tracker.book.skims else _end_rows(tracker))
    return settle(tracker, result.counted, result.findings, result.changes, tracker.book.skims or skims, context)


def _end_rows(tracker: Tracker) -> dict[str, int | None]:
    """The Tickets sheet whole, and the Log as it was read (not the rows this refresh adds)."""
    log = tracker.log_table
    return {tracker.tickets_table.name: None} | ({log.name: len(log.sheet.rows)} if log else {})


def plan_refresh(tracker: Tracker, now: datetime, lang: str | None = None) -> Refresh:
    """The refresh of ``tracker`` at ``now``; values are written in the workbook's language,
    findings are told in ``lang`` (default: the workbook's)."""
    result = Refresh(ChangeSet(), [], plan_fixes(tracker))
    table = tracker.tickets_table
    for fix in result.fixes:
        result.changes.set(table.name, fix.row, table.columns[fix.key], fix.new)
    _number_new_tickets(tracker, result)
    _stamp_done_times(tracker, result, now)
    _log_status_changes(tracker, result, now)
    # Computed on the tracker as these edits leave it, so new numbers, stamps and Log rows count.
    after = updated(tracker, result.changes) if result.changes else tracker
    current = plan_current(after, now, lang)  # only cells that differ from the sheet: not compared again
    result.findings = current.findings + check_limits(tracker, lang or tracker.lang)
    result.states, result.counted = current.states, current.rows
    result.changes = result.changes.only_changes(tracker.book).then(current.changes)
    calendar = BusinessCalendar.from_settings(tracker.settings)
    years = calendar_years(tracker.tickets, now, (t.dashboard.reported_at for t in tracker.settled))
    result.warnings = calendar.warnings(years, lang or tracker.lang) + \
        restore_index(tracker, result.changes, lang or tracker.lang)
    return result


def refreshed(tracker: Tracker, changes: ChangeSet, now: datetime) -> ChangeSet:
    """``changes`` and the refresh of the workbook they leave, as one change set (for an import:
    the new rows are numbered and computed in the same write)."""
    return changes.then(plan_refresh(updated(tracker, changes), now).changes).only_changes(tracker.book)


def _uncertain_numbers(tracker: Tracker) -> set[str]:
    """Numbers that are malformed or on more than one row (here or in the archive index)."""
    counts = Counter(t.number for t in tracker.tickets if t.number)
    return {n for n, k in counts.items() if k > 1 or n in tracker.reserved}


def _number_new_tickets(tracker: Tracker, result: Refresh) -> None:
    table = tracker.tickets_table
    # A row without a readable (or believable) report time has no day to be numbered in: it waits, marked.
    new = [(t.row, t.reported_at) for t in tracker.tickets
           if not t.number and t.reported_at and t.reported_at >= EARLIEST]
    numbers = assign_numbers(new, tracker.used)
    for row, number in sorted(numbers.items(), key=lambda item: item[1]):
        result.changes.set(table.name, row, table.columns["ticket_no"], number)
        result.numbered.append(number)


def _stamp_done_times(tracker: Tracker, result: Refresh, now: datetime) -> None:
    """A status set to 已解决/已关闭 by hand gets its time stamped, as a ticketing system would; one
    set back from it (a reopen: the Log's last status was done) gets the time cleared, as
    ``track-xls reopen`` does (see workbook/lifecycle.py). Only a status changed since the Log's last
    one is stamped: a done ticket whose time was never known (imported without it) or is unreadable
    text stays as it is, for ``check`` to report."""
    table = tracker.tickets_table
    stamps = {"resolved_at": ("resolved", "closed"), "closed_at": ("closed",)}
    uncertain = _uncertain_numbers(tracker)
    for ticket in tracker.tickets:
        if ticket.status is None:
            continue
        history = tracker.histories.get(ticket.number)  # (not get(..., History()): one made per ticket)
        last = None if history is None or ticket.number in uncertain else history.last_status()
        if last is None and ticket.time("imported_at"):
            continue  # imported done without its times: when it was done is not known, not "now"
        changed = ticket.status != (last or "new")
        for key, statuses in stamps.items():
            if key not in table.columns:
                continue
            if ticket.status in statuses and changed and not ticket.text(key):
                value = now
            elif ticket.status not in statuses and ticket.time(key) and last in statuses:
                value = None
            else:
                continue
            result.changes.set(table.name, ticket.row, table.columns[key], value)


def _log_status_changes(tracker: Tracker, result: Refresh, now: datetime) -> None:
    """Log a status that differs from the last logged one, at refresh time (pauses start here)."""
    log = tracker.log_table
    if log is None:
        return
    row = log.end_row
    uncertain = _uncertain_numbers(tracker)
    table = tracker.tickets_table
    numbers = result.changes.cells.get(table.name, {})
    for ticket in tracker.tickets:
        number = ticket.number or numbers.get((ticket.row, table.columns["ticket_no"]))  # numbered just now
        if not number or number in uncertain or ticket.status is None:
            continue
        last = (tracker.histories.get(number) or History()).last_status() or "new"
        if ticket.status == last:
            continue
        message = status_change_text(last, ticket.status, log.lang)
        for col, value in log_row(log, number, now, AUTHOR, "status_change", message).items():
            result.changes.set(log.name, row, col, value)
        row += 1
        result.logged += 1
