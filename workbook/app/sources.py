"""Every ticket the team has: the live tracker and every monthly archive, read with calamine.

The report and the review command look further back than the live sheet. Archives are found the
way the archive command leaves them: ``<archive dir>/YYYY-MM/`` folders whose ``manifest.json``
names the month's workbook (a folder without a manifest holds no finished archive). A ticket found
both in the tracker and an archive (an archive run stopped between its two writes) counts once,
as the tracker has it.

Archives hold tens of thousands of rows the report reads every time, so they are read lean: only
the columns the report and the review rules use, and of the Log only status changes and progress
updates. The tickets are parsed by the same :func:`ticket_from_record` as the live sheet's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..author.archive_book import archive_tables
from .archive_store import MANIFEST, archive_folder
from ..core.errors import FileProblem
from ..core.log import History, read_histories
from ..xlsx.reader import read_book
from ..core.settings import Settings
from ..core.tickets import TIME_KEYS, Ticket, ticket_from_record
from ..core.tracker import Tracker, load_tracker

Entry = tuple[Ticket, History]

# What is read of an archived ticket: the report's figures, the review rules, and the SLA columns
# as they were frozen when it was archived.
ARCHIVE_KEYS = ("ticket_no", "priority", "status", "channel", "module", "category", "department", "assignee",
                "satisfaction", *TIME_KEYS, "sla_state", "breached")


@dataclass
class Sources:
    tracker: Tracker
    live: list[Entry]  # the tracker's tickets with their histories
    archived: list[Entry]  # the archives' tickets not also in the tracker, oldest month first
    archives: list[Path]


def load_sources(path: Path) -> Sources:
    """Read the tracker at ``path`` (values only; nothing is written) and its archives."""
    tracker = load_tracker(read_book(path))
    live = [(t, tracker.histories.get(t.number) or History()) for t in tracker.tickets]
    files = archive_files(path, tracker.settings)
    seen = {t.number for t in tracker.tickets if t.number}
    archived = []
    for file in files:
        for ticket, history in read_archive(file):
            if ticket.number not in seen:
                seen.add(ticket.number)
                archived.append((ticket, history))
    return Sources(tracker, live, archived, files)


def archived_tickets(path: Path, settings: Settings) -> list[Ticket]:
    return [ticket for file in archive_files(path, settings) for ticket, _ in read_archive(file)]


def archive_files(path: Path, settings: Settings) -> list[Path]:
    """The archive workbooks of the tracker at ``path``, oldest month first."""
    folder = archive_folder(Path(path), settings)
    if not folder.is_dir():
        return []
    files = []
    for month_dir in sorted(d for d in folder.iterdir() if (d / MANIFEST).is_file()):
        try:
            manifest = json.loads((month_dir / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FileProblem(f"{month_dir / MANIFEST}: unreadable archive manifest ({exc})") from None
        file = month_dir / str(manifest.get("file", ""))
        if not file.is_file():
            raise FileProblem(f"{file}: named by {month_dir / MANIFEST} but missing")
        files.append(file)
    return files


def read_archive(file: Path) -> list[Entry]:
    """An archive's tickets (the columns in ARCHIVE_KEYS) with their status changes and updates."""
    tickets, log = archive_tables(file)
    histories = read_histories(log)
    out = []
    for row, values in tickets.values(ARCHIVE_KEYS):
        ticket = ticket_from_record(row, dict(zip(ARCHIVE_KEYS, values)))
        out.append((ticket, histories.get(ticket.number) or History()))
    return out
