"""A tracker workbook's contents as plain values: tables, tickets, histories, settings.

Built from :class:`BookData` by any engine; everything a command plans is computed from this.
"""

from __future__ import annotations

from dataclasses import dataclass
from contextlib import AbstractContextManager
from typing import Protocol

from .book import BookData, Table, find_table
from .changeset import ChangeSet
from .log import History, read_histories
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
    reserved: frozenset[str]  # numbers recorded in the archive index

    @property
    def lang(self) -> str:
        return self.tickets_table.lang


def load_tracker(book: BookData) -> Tracker:
    tickets_table = find_table(book, "tickets")
    log_table = find_table(book, "log", required=False)
    index = find_table(book, "archive_index", required=False)
    reserved = frozenset(text(r["ticket_no"]) for _, r in index.records()) if index else frozenset()
    return Tracker(
        book=book,
        tickets_table=tickets_table,
        tickets=read_tickets(tickets_table),
        log_table=log_table,
        histories=read_histories(log_table),
        reviews_table=find_table(book, "reviews", required=False),
        settings=read_settings(book),
        reserved=reserved - {""},
    )
