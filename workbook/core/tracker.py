"""A tracker workbook's contents as plain values: tables, tickets, histories, settings.

Built from :class:`BookData` by any engine; everything a command plans is computed from this.
"""

from __future__ import annotations

from dataclasses import dataclass
from contextlib import AbstractContextManager
from typing import Protocol

from .book import BookData, Table, find_table
from .changeset import ChangeSet
from .errors import InputError
from .log import History, read_histories
from .numbering import numbers_in
from .parse import text
from .settings import Settings, read_settings
from .tickets import Ticket, read_tickets


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

    @property
    def lang(self) -> str:
        return self.tickets_table.lang

    @property
    def unindexed(self) -> dict[str, tuple[str, str]]:
        """Number -> (month, file) of archived tickets the archive index has lost."""
        return {n: where for n, where in sorted(self.book.archived.items()) if n not in self.indexed}


def load_tracker(book: BookData) -> Tracker:
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
        used=reserved | {t.number for t in tickets if t.number} | _mentioned(log_table, "ticket_no")
        | _mentioned(reviews_table, "ticket_nos"),
    )


def _mentioned(table: Table | None, key: str) -> frozenset[str]:
    """The ticket numbers a column of a Log or Reviews sheet mentions."""
    if table is None or key not in table.columns:
        return frozenset()
    return frozenset(n for _, (value,) in table.values((key,)) for n in numbers_in(text(value)))
