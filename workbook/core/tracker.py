"""A tracker workbook's contents as plain values: tables, tickets, histories, settings.

Built from :class:`BookData` by any engine; everything a command plans is computed from this.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from contextlib import AbstractContextManager
from typing import NamedTuple, Protocol

from .book import BookData, Table, find_table
from .changeset import ChangeSet
from .dashboard import DashboardRow
from .errors import InputError
from .log import History, joined, read_histories
from .numbering import numbers_in
from .parse import text
from .settings import Settings, read_settings
from .tickets import Ticket, read_tickets, ticket_from_record


class SettledTicket(NamedTuple):
    """A ticket a refresh left out of its read (see :mod:`workbook.core.settled`): its row, and what
    the dashboard counts of it."""

    row: int
    dashboard: DashboardRow

    @property
    def number(self) -> str:
        return self.dashboard.number


class Engine(Protocol):
    """What a command needs from a workbook: its values, a way to apply a change set, and a lock
    held from the read to the write so that two commands on one workbook run one after the other."""

    def read(self) -> BookData: ...

    def apply(self, changes: ChangeSet) -> None: ...

    def locked(self) -> AbstractContextManager: ...


@dataclass
class Tracker:
    book: BookData
    tickets_table: Table
    tickets: list[Ticket]
    log_table: Table | None
    histories: dict[str, History]
    reviews_table: Table | None
    settings: Settings
    index_table: Table | None  # the 归档索引 sheet; None when it is missing or its header is gone
    indexed: frozenset[str]  # numbers recorded in the archive index
    reserved: frozenset[str]  # archived numbers: the index's and the archive manifests'
    used: frozenset[str]  # every number seen anywhere: never handed out again
    settled: tuple[SettledTicket, ...] = ()  # tickets left out of the read, by row; not in ``tickets``

    @property
    def lang(self) -> str:
        return self.tickets_table.lang

    @property
    def unindexed(self) -> dict[str, tuple[str, str]]:
        """Number -> (month, file) of archived tickets the archive index has lost."""
        return {n: where for n, where in sorted(self.book.archived.items()) if n not in self.indexed}


def load_tracker(book: BookData, settled: tuple[SettledTicket, ...] = ()) -> Tracker:
    """The tracker in ``book``; ``settled``: the tickets the reader left out of it."""
    tickets_table = find_table(book, "tickets")
    log_table = find_table(book, "log", required=False)
    reviews_table = find_table(book, "reviews", required=False)
    try:
        index = find_table(book, "archive_index", required=False)
    except InputError:  # a damaged index must not stop the tracker: the manifests stand in for it
        index = None
    indexed = frozenset(text(r["ticket_no"]) for _, r in index.records()) - {""} if index else frozenset()
    tickets = read_tickets(tickets_table)
    reserved = indexed | frozenset(book.archived)
    return Tracker(
        book=book,
        tickets_table=tickets_table,
        tickets=tickets,
        log_table=log_table,
        histories=read_histories(log_table),
        reviews_table=reviews_table,
        settings=read_settings(book),
        index_table=index,
        indexed=indexed,
        reserved=reserved,
        used=reserved | {t.number for t in tickets if t.number} | {t.number for t in settled}
        | _mentioned(log_table, "ticket_no") | _mentioned(reviews_table, "ticket_nos"),
        settled=settled,
    )


def updated(tracker: Tracker, changes: ChangeSet) -> Tracker:
    """``tracker`` as ``changes`` leave it, what a command plans on after its own edits: the Tickets
    rows they write and the Log rows they append are read again, the rest is kept (a 10k-ticket
    tracker reads in ~0.6 s). Edits anywhere else, a number changed, removed rows or an Excel Total
    Row read it whole."""
    book = changes.applied_to(tracker.book)
    tickets, log = tracker.tickets_table, tracker.log_table
    edited = changes.cells.get(tickets.name, {})
    appended = changes.cells.get(log.name, {}) if log else {}
    numbered = {t.row for t in tracker.tickets if t.number}
    if (changes.removed_rows or set(changes.cells) - {tickets.name, log and log.name} or tracker.book.total_rows
            or any(r < tickets.first_row or (r in numbered and c == tickets.columns["ticket_no"]) for r, c in edited)
            or any(r < log.end_row for r, _ in appended)):
        return load_tracker(book, tracker.settled)  # (a number no longer on its row may still be used elsewhere)
    tickets_table = find_table(book, "tickets")
    rows = {r for r, _ in edited}
    fresh = [ticket_from_record(r, record) for r in sorted(rows) if (record := tickets_table.record(r))]
    after = replace(tracker, book=book, tickets_table=tickets_table,
                    tickets=sorted([t for t in tracker.tickets if t.row not in rows] + fresh, key=lambda t: t.row),
                    used=tracker.used | {t.number for t in fresh if t.number})
    if not appended:
        return after
    log_table = find_table(book, "log")
    return replace(after, log_table=log_table,
                   histories=joined(tracker.histories, read_histories(log_table, log.end_row)),
                   used=after.used | _mentioned(log_table, "ticket_no", log.end_row))


def _mentioned(table: Table | None, key: str, start: int | None = None) -> frozenset[str]:
    """The ticket numbers a column of a Log or Reviews sheet mentions (from row ``start`` when given)."""
    if table is None or key not in table.columns:
        return frozenset()
    values = set(table.column(key, start))  # a Log names each ticket ~5 times
    return frozenset(n for value in values for n in numbers_in(text(value)))
