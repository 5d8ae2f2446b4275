"""`track-xls export`: the tracker and its archives into SQLite, DuckDB, Parquet or PostgreSQL.

The tracker is read (values only; nothing is written to it), then each archive the ``--since``
month leaves in; :mod:`workbook.core.export_rows` turns them into typed rows,
:mod:`workbook.core.export_diff` compares them with what the target holds, and the differences are
written in one transaction of the target (:mod:`workbook.app.export_targets`). With ``--since``,
tickets archived in earlier months are left in the target as they are.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from pathlib import Path
from types import SimpleNamespace

from ..core.book import find_table
from ..core.errors import FileProblem
from ..core.export_diff import TableChange, diff_table
from ..core.export_rows import Mapped, Source, export_rows, map_source
from ..core.messages import say
from ..core.parse import text
from ..core.settings import local_now
from ..core.tracker import load_tracker
from ..xlsx.reader import read_book
from .archive_layout import archive_files
from .archives import archive_tables
from .export_targets import open_target, shown, target_kind

Progress = Callable[[int], AbstractContextManager]  # total -> context with .update(n), as click.progressbar
NEEDS = {"duckdb": ("duckdb", "pyarrow"), "parquet": ("pyarrow",), "postgresql": ("psycopg",)}


def step_hook(step: str) -> None:
    """Called after each table is written, before the commit. Tests replace it to stop the run there."""


@dataclass
class ExportResult:
    target: str  # as shown to the user (no password)
    lang: str
    archives: int
    changes: list[TableChange]
    skipped: list[tuple[str, str]]
    dry_run: bool

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.changes)

    def summary(self, lang: str | None = None) -> list[str]:
        lang = lang or self.lang
        head = ("export_would" if self.dry_run else "export_written" if self.changed else "export_unchanged")
        lines = [say(head, lang, target=self.target, archives=self.archives)]
        lines += [say("export_table", lang, table=c.name, **c.counts()) for c in self.changes]
        lines += [say(f"export_{reason}", lang, cell=cell) for cell, reason in self.skipped]
        return lines

    def as_dict(self) -> dict:
        return {"target": self.target, "archives": self.archives, "dry_run": self.dry_run,
                "written": self.changed and not self.dry_run,
                "tables": {c.name: c.counts() for c in self.changes},
                "skipped": [{"cell": cell, "reason": reason} for cell, reason in self.skipped]}


def run_export(path: Path, target: str, since: str | None = None, now: datetime | None = None,
               dry_run: bool = False, progress: Progress | None = None) -> ExportResult:
    """Export the tracker at ``path`` and its archives to ``target`` (see target_kind)."""
    book = read_book(path)
    tracker = load_tracker(book)
    lang = tracker.lang
    _check_installed(target_kind(target), lang)
    now = now or local_now(tracker.settings)
    files = [f for f in archive_files(path, tracker.settings) if since is None or f.parent.name >= since]
    live = Source(Path(path).name, None, tracker.tickets_table, tracker.log_table)
    names = [_relative(file, path) for file in files]
    with (progress or _no_progress)(len(files)) as bar, _pool(len(files)) as pool:
        pending = (pool.map if pool else map)(_map_archive, files, names, repeat(tracker.settings), repeat(now),
                                              repeat(lang))
        mapped = [map_source(live, tracker.settings, now, lang)]  # while the workers read the archives
        for part in pending:
            mapped.append(part)
            bar.update(1)
    export = export_rows(mapped, tracker.reviews_table, find_table(book, "faq", required=False), lang,
                         _archived_before(book, since))
    store = open_target(target, lang, dry_run)
    try:
        changes = []
        for table in export.tables.values():
            change = diff_table(table, *store.read(table), now)
            changes.append(change)
            if change.changed and not dry_run:
                store.write(change)
                step_hook(f"{table.name}-written")
        if not dry_run:
            store.commit()
    finally:
        store.close()
    return ExportResult(shown(target), lang, len(files), changes, export.skipped, dry_run)


def _pool(archives: int) -> AbstractContextManager:
    """Worker processes, one per core, when there are several archives: reading and mapping a month
    is independent of the others, and its rows pickle cheaply. None: map them here, one by one."""
    workers = min(archives, os.cpu_count() or 1)
    return ProcessPoolExecutor(workers) if workers > 1 else nullcontext(None)


def _map_archive(file: Path, name: str, settings, now: datetime, lang: str) -> Mapped:
    return map_source(Source(name, file.parent.name, *archive_tables(file)), settings, now, lang)


def _check_installed(kind: str | None, lang: str) -> None:
    for package in NEEDS.get(kind, ()):
        if importlib.util.find_spec(package) is None:
            raise FileProblem("export_needs", lang=lang, kind=kind, package=package)


def _archived_before(book, since: str | None) -> frozenset[str]:
    """Numbers the 归档索引 sheet records in months before ``since``: their archives are not read."""
    index = find_table(book, "archive_index", required=False)
    if since is None or index is None:
        return frozenset()
    return frozenset(text(number) for _, (number, month) in index.values(("ticket_no", "month"))
                     if text(month) and text(month) < since)


def _relative(file: Path, tracker: Path) -> str:
    """An archive as ``source_file`` records it: relative to the tracker's folder when inside it."""
    try:
        return file.resolve().relative_to(Path(tracker).resolve().parent).as_posix()
    except ValueError:
        return file.resolve().as_posix()


def _no_progress(total: int) -> AbstractContextManager:
    return nullcontext(SimpleNamespace(update=lambda n: None))
