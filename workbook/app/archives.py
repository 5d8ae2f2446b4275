"""Reading the monthly archive workbooks, for the archive run, the report, the review and export.

The report and the review command look further back than the live sheet. Archives are read lean:
only the columns the report and the review rules use, and of the Log only status changes and
progress updates. The tickets are parsed by the same :func:`ticket_from_record` as the live sheet's.
"""

from __future__ import annotations

from pathlib import Path

from ..core import schema
from ..core.archive import ArchiveRows, Row, layout
from ..core.book import Table, find_table
from ..core.errors import FileProblem, InputError, VerifyError
from ..core.log import History, read_histories
from ..core.parse import text
from ..core.settings import Settings
from ..core.tickets import TIME_KEYS, Ticket, ticket_from_record
from ..xlsx.cell_extras import Extras, read_extras
from ..xlsx.reader import read_book
from .archive_layout import archive_files

Entry = tuple[Ticket, History]

# What is read of an archived ticket: the report's figures, the review rules, and the SLA columns
# as they were frozen when it was archived.
ARCHIVE_KEYS = ("ticket_no", "priority", "status", "channel", "module", "category", "department", "assignee",
                "satisfaction", *TIME_KEYS, "sla_state", "breached")


def archive_tables(path: Path) -> tuple[Table, Table | None]:
    """The Tickets and Log tables of an archive workbook; FileProblem when it is not one."""
    book = read_book(path)
    try:
        return find_table(book, "tickets"), find_table(book, "log", required=False)
    except InputError as exc:
        raise FileProblem("not_an_archive", where=path, reason=exc) from None


def archive_rows(path: Path, lang: str, extras: bool = False) -> tuple[ArchiveRows, ArchiveRows]:
    """(tickets, log) rows of an archive workbook, each in its own header layout; with ``extras``,
    each row carries its cells' links, notes and rich text."""
    tickets, log = archive_tables(path)
    found = read_extras(path, [t.name for t in (tickets, log) if t]) if extras else {}
    return _rows(tickets, lang, found), _rows(log, lang, found)


def _rows(table: Table | None, lang: str, extras: dict[str, Extras]) -> ArchiveRows:
    columns = layout(table, lang)
    rows = ArchiveRows([name for _, name in columns])
    if table is not None:
        for r in range(table.first_row, table.end_row):
            row = [table.sheet.value(r, c) for c, _ in columns]
            if any(text(v) for v in row):
                rows.rows.append(with_extras(row, r, columns, extras.get(table.name, {})))
    return rows


def with_extras(values: list, r: int, columns: list[tuple[int, str]], extras: Extras) -> Row:
    """The row's values with the extras of its cells, by header."""
    return Row(values, {name: extras[(r, c)] for c, name in columns if (r, c) in extras})


def verify_archive(path: Path, tables: tuple[Table, Table | None], lang: str, tickets: ArchiveRows,
                   log: ArchiveRows) -> None:
    """Check a written archive, read back as ``tables``: every ticket number present once, every Log row there."""
    got_tickets, got_log = (_rows(table, lang, {}) for table in tables)
    number = schema.column("tickets", "ticket_no")
    want = sorted(text(v) for v in tickets.values(number))
    got = sorted(text(v) for v in got_tickets.values(number))
    if got != want or len(got_log.rows) != len(log.rows):
        raise VerifyError("archive_read_back", lang=lang, where=path, got=len(got), want=len(want),
                          got_log=len(got_log.rows), want_log=len(log.rows))


def archived_tickets(path: Path, settings: Settings) -> list[Ticket]:
    """Every ticket in the archives of the tracker at ``path``, oldest month first."""
    return [ticket for file in archive_files(path, settings) for ticket, _ in archived_entries(file)]


def archived_entries(file: Path) -> list[Entry]:
    """An archive's tickets (the columns in ARCHIVE_KEYS) with their status changes and updates."""
    return table_entries(*archive_tables(file))


def table_entries(tickets: Table, log: Table | None) -> list[Entry]:
    """:func:`archived_entries` of an archive's tables already read."""
    histories = read_histories(log)
    out = []
    for row, values in tickets.values(ARCHIVE_KEYS):
        ticket = ticket_from_record(row, dict(zip(ARCHIVE_KEYS, values)))
        out.append((ticket, histories.get(ticket.number) or History()))
    return out
