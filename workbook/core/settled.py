"""Settled tickets: done, without a problem, and unchanged since a refresh judged them.

Most of a big tracker is closed tickets nobody touches again, and a refresh spent its time reading
and judging them anew. What a refresh needs of such a ticket is little: its number (never handed out
again, never on a second row) and what the dashboard counts of it. So a refresh remembers them in
:class:`Settled`, each by the digest of its row's bytes (:mod:`workbook.core.row_digests`), and the
next refresh has the engine leave those rows out of its read. The Log is remembered by its prefix:
the rows up to where the refresh read, less the rows of tickets not settled, which are read each time.

A remembered ticket stands only while everything it was judged against is as it was:

- the workbook's context (styles and shared strings: the engine's digest) and the tracker's (headers,
  language, Settings, Reviews, the archived numbers: :func:`context_of`);
- its row's bytes, number included: a row edited, moved or deleted is a new row;
- its Log rows: the Log must still begin with the remembered prefix, and no Log row read names it.

When one of them does not hold, :func:`settled_tracker` gives None and the refresh reads the
workbook whole, as it would without a memory; :func:`settle` then remembers afresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from .book import BookData, Table, filled
from .changeset import ChangeSet
from .dashboard import DashboardRow
from .parse import text
from .row_digests import Known, Prefix, Skim
from .tracker import SettledTicket, Tracker, load_tracker
from .validation import Finding


@dataclass(frozen=True)
class Settled:
    """What a refresh remembers of a tracker for the next one."""

    book_context: bytes  # the engine's digest of what gives the rows' bytes their values
    context: str  # :func:`context_of` the tracker
    tickets_sheet: str
    tickets: dict[int, SettledTicket]  # row digest -> the ticket on that row
    log_sheet: str | None = None
    log: Prefix | None = None  # the Log's rows as read
    log_wanted: frozenset[int] = frozenset()  # its rows not settled tickets': read each time

    def known(self) -> dict[str, Known]:
        """What the engine may leave out of its read."""
        known = {self.tickets_sheet: Known(digests=frozenset(self.tickets))}
        if self.log_sheet is not None:
            known[self.log_sheet] = Known(prefix=self.log, wanted=self.log_wanted)
        return known


def context_of(tracker: Tracker) -> str:
    """A digest of what every ticket is judged against beside its own row and Log rows."""
    digest = hashlib.blake2b(digest_size=16)
    for table in (tracker.tickets_table, tracker.log_table):
        digest.update(repr(table and (table.name, table.header_row, table.columns, table.stop, table.lang)).encode())
    for key in ("settings", "reviews"):
        sheet = tracker.book.sheet(key)
        digest.update(repr(sheet and sheet.rows).encode())
    digest.update(repr(sorted(tracker.reserved)).encode())
    return digest.hexdigest()


def settled_tracker(book: BookData, settled: Settled) -> Tracker | None:
    """The tracker in ``book``, read with ``settled.known()``, with the remembered tickets the engine
    left out; None when the memory no longer holds (see the module docstring)."""
    tickets_skim = book.skims.get(settled.tickets_sheet)
    log_skim = book.skims.get(settled.log_sheet) if settled.log_sheet else None
    if tickets_skim is None or (settled.log_sheet and not (log_skim and log_skim.prefix_kept)):
        return None
    if len(tickets_skim.left_out) != len(settled.tickets):
        return None  # a settled row changed, moved or went: its Log rows were left out all the same
    kept = tuple(settled.tickets[tickets_skim.digests[r]] for r in sorted(tickets_skim.left_out))
    sheets = dict(book.sheets)
    ends = {settled.tickets_sheet: kept[-1].row + 1 if kept else 0}
    if log_skim:
        ends[settled.log_sheet] = settled.log.end_row
    for name, end in ends.items():
        sheets[name] = replace(sheets[name], left_out_end=end)
    tracker = load_tracker(replace(book, sheets=sheets), kept)
    numbers = {t.number for t in kept}
    if (context_of(tracker) != settled.context or any(t.number in numbers for t in tracker.tickets)
            or not numbers.isdisjoint(tracker.histories)):
        return None  # (a Log row read that names a settled ticket: its history is only partly read)
    return tracker


def settle(tracker: Tracker, counted: dict[int, DashboardRow], findings: list[Finding], changes: ChangeSet,
           skims: dict[str, Skim], book_context: bytes) -> Settled | None:
    """What the next refresh may leave out of its read: the remembered tickets, and the done ones
    this refresh read, found without a problem and left as they were. ``tracker``: as read;
    ``counted``, ``findings``, ``changes``: the refresh's; ``skims``: the engine's digests of the
    rows as they now stand. None when there are none to take."""
    table, log = tracker.tickets_table, tracker.log_table
    tickets_skim = skims.get(table.name)
    log_skim = skims.get(log.name) if log else None
    if tickets_skim is None or (log and log_skim is None):
        return None
    troubled = {f.row for f in findings if f.sheet == table.name}
    troubled |= {r for r, _ in changes.cells.get(table.name, {})}
    unsettled = _logged_numbers(log, findings, changes) if log else set()
    fresh = [SettledTicket(t.row, counted[t.row]) for t in tracker.tickets
             if t.done and t.number and t.row not in troubled and t.number not in unsettled
             and counted[t.row].sla_state is not None]
    tickets = {tickets_skim.digests[t.row]: t for t in (*tracker.settled, *fresh)}
    if log is None:
        return Settled(book_context, context_of(tracker), table.name, tickets)
    numbers = {t.number for t in tickets.values()}
    return Settled(book_context, context_of(tracker), table.name, tickets, log.name, log_skim.prefix,
                   _wanted(log, numbers, log_skim.prefix.end_row))


def _logged_numbers(log: Table, findings: list[Finding], changes: ChangeSet) -> set[str]:
    """The numbers of Log rows with a problem, and of the Log rows ``changes`` add."""
    col = log.columns["ticket_no"]
    numbers = {text(log.sheet.value(f.row, col)) for f in findings if f.sheet == log.name}
    return numbers | {text(v) for (_, c), v in changes.cells.get(log.name, {}).items() if c == col}


def _wanted(log: Table, settled: set[str], end: int) -> frozenset[int]:
    """The Log rows before ``end`` the next read must give: the header's, and every row not of a
    settled ticket (blank rows may be left out: left out, they read as they are)."""
    col = log.columns["ticket_no"]
    rows = log.sheet.rows
    return frozenset(range(min(log.first_row, end))) | {
        r for r in range(log.first_row, min(end, len(rows)))
        if rows[r].count(None) != len(rows[r])  # (an empty row, or one left out, in one C call)
        and any(map(filled, rows[r])) and text(rows[r][col] if col < len(rows[r]) else None) not in settled}
