"""A demo tracker on disk for the archive tests, and what they look at: where each ticket number is.

The tracker is the demo's: 100 tickets reported over the four months before 2024-06-15, refreshed,
made once per module and copied for each test. The invariant checked after every run, crashed or
not: each ticket number is in exactly one place, the tracker or one month's archive.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from workbook.core import schema
from workbook.app.archives import archive_rows
from workbook.core.changeset import ChangeSet
from workbook.cli import main
from workbook.xlsx.file_engine import FileEngine
from workbook.xlsx.reader import read_book
from workbook.core.tracker import load_tracker

NOW = datetime(2024, 6, 15, 10, 0)


def cli(*args: str) -> object:
    return CliRunner().invoke(main, ["archive", *map(str, args)])


def closed_by_month(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for t in load_tracker(read_book(path)).tickets:
        if t.status == "closed" and t.time("closed_at"):
            out.setdefault(f"{t.time('closed_at'):%Y-%m}", set()).add(t.number)
    return out


def tracker_numbers(path: Path) -> list[str]:
    return [t.number for t in load_tracker(read_book(path)).tickets]


def archive_files(path: Path) -> list[Path]:
    return sorted((path.parent / "archive").glob("*/*.xlsx"))


def archived_numbers(file: Path) -> list[str]:
    tickets, _ = archive_rows(file, "zh")
    return [str(v) for v in tickets.values(schema.column("tickets", "ticket_no"))]


def places(path: Path) -> Counter:
    """Ticket number -> how many places hold it: the tracker and every archive workbook."""
    found = Counter(tracker_numbers(path))
    for file in archive_files(path):
        found.update(archived_numbers(file))
    return found


def assert_exactly_once(path: Path, original: set[str]) -> None:
    found = places(path)
    assert set(found) == original
    assert [n for n, count in found.items() if count != 1] == []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def index_rows(path: Path) -> list[list]:
    return read_book(path).sheet("archive_index").rows[1:]


def close_ticket(path: Path, closed_at: datetime) -> str:
    """Close the first open ticket, as an agent would by typing; its number."""
    engine = FileEngine(path)
    tracker = load_tracker(engine.read())
    ticket = next(t for t in tracker.tickets if not t.done and t.number)
    table, changes = tracker.tickets_table, ChangeSet()
    values = {"status": "已关闭", "resolved_at": closed_at, "closed_at": closed_at, "summary": "重启服务",
              "backup_done": "是", "first_response_at": ticket.reported_at, "assigned_at": ticket.reported_at}
    for key, value in values.items():
        changes.set(table.name, ticket.row, table.columns[key], value)
    engine.apply(changes)
    return ticket.number
