"""Month-end archive, the I/O: month workbooks and manifests on disk, the journal that makes the
move crash-safe. Retention is :mod:`workbook.app.archive_prune`.

A move is two-phase, recorded in ``<archive dir>/.journal.json`` (each write atomic):

``planned``
    the journal names each month's file and the numbers moving; temp files are being written.
``archive-written``
    every month's new workbook sits in a temp file beside its final name, read back and verified,
    its manifest (with the sha256) recorded in the journal.
``tracker-written``
    the archives are in place with their manifests, and the tracker no longer holds the rows.
``done``
    the journal stays as the record of the last run.

Nothing a user sees changes before ``archive-written``, so a run that stopped earlier is rolled back
by the next one (temp files removed, the tracker untouched). From ``archive-written`` on it is rolled
forward: temp files renamed into place, manifests written, and the rows removed from the tracker
through the file engine (an atomic rewrite), planned again from the tracker as it is so that a step
already done is not done twice. Either way every ticket ends up in exactly one place.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from ..core.archive import (MONTH, ArchivePlan, ArchiveRows, MonthPlan, file_name, layout, manifest, merge, plan_archive,
                      tracker_changes, wanted_months)
from ..core.cells import a1
from ..xlsx.cell_extras import picture_cells, read_extras
from ..author.archive_book import write_archive
from .archive_layout import JOURNAL, MANIFEST, archive_folder
from .archives import archive_rows, archive_tables, table_entries, verify_archive, with_extras
from .report_cache import cache_key, write_cached
from .report_frame import archive_part
from .tracker_file import TrackerFile
from ..core.book import find_table
from ..core.changeset import ChangeSet
from ..core.computed import keep_current
from ..core.errors import FileProblem, TrackError
from ..xlsx.file_engine import FileEngine
from ..core.messages import say
from ..xlsx.safe_write import advisory_lock, check_not_open, check_writable, fsync_dir, keep_owner
from ..core.settings import Settings, local_now
from ..core.tracker import Tracker, load_tracker

Progress = Callable[[int], AbstractContextManager]  # total -> context with .update(n), as click.progressbar


def step_hook(step: str) -> None:
    """Called after each step of a move. Tests replace it to crash or pause the run there."""


def _step(step: str) -> None:
    step_hook(step)  # looked up on each call, so a test's replacement takes effect


@dataclass
class Folder:
    """The archive folder: one subfolder per month with its workbook and manifest.json, and the journal."""

    path: Path
    lang: str  # of the messages

    @classmethod
    def of(cls, tracker: Tracker, workbook: Path) -> "Folder":
        return cls(archive_folder(workbook, tracker.settings), tracker.lang)

    def problem(self, key: str, **values: object) -> FileProblem:
        return FileProblem(key, lang=self.lang, **values)

    def manifest(self, month: str) -> dict | None:
        return self.read_json(self.path / month / MANIFEST)

    def file(self, month: str) -> Path:
        """The month's workbook: as its manifest names it, else named in the tracker's language."""
        recorded = self.manifest(month)
        return self.path / month / (recorded["file"] if recorded else file_name(month, self.lang))

    def months(self) -> list[str]:
        """Months with an archive (a manifest) in the folder."""
        if not self.path.is_dir():
            return []
        return sorted(d.name for d in self.path.iterdir() if MONTH.match(d.name) and (d / MANIFEST).is_file())

    def journal(self) -> dict | None:
        return self.read_json(self.path / JOURNAL)

    def write_journal(self, journal: dict) -> None:
        self.write_json(self.path / JOURNAL, journal)

    def make_dir(self, folder: Path) -> None:
        """Create ``folder`` and prove it writable before anything is moved."""
        try:
            if not folder.is_dir():
                folder.mkdir(parents=True)
                keep_owner(folder.parent, folder)  # a shared folder's archive folder is shared too
            probe = folder / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise self.problem("archive_not_writable", path=folder, reason=exc.strerror or exc) from None

    def locked(self) -> AbstractContextManager:
        """``.archive.lock`` in the folder: trackers that share a folder archive one at a time."""
        self.make_dir(self.path)
        return advisory_lock(self.path / "archive")

    def read_json(self, path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (ValueError, OSError) as exc:
            raise self.problem("archive_bad_json", path=path, reason=exc) from None

    def write_json(self, path: Path, data: dict) -> None:
        """Temp file, fsync, rename, fsync of the folder: a crash leaves the old file or the new."""
        temp = _temp(path)
        try:
            with open(temp, "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False, indent=2)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, path)
            fsync_dir(path.parent)
        except OSError as exc:
            raise self.problem("archive_not_writable", path=path.parent, reason=exc.strerror or exc) from None


@dataclass
class ArchiveResult:
    plan: ArchivePlan
    recovered: str | None = None  # "completed" or "rolled_back": what became of an interrupted run
    pending: str | None = None  # dry run: the phase of an interrupted run the next run finishes first

    def summary(self, lang: str, dry_run: bool) -> list[str]:
        lines = [say(f"archive_{self.recovered}", lang)] if self.recovered else []
        if self.pending:
            lines.append(say("archive_pending", lang, phase=self.pending))
        lines += [say(key, lang, **values) for key, values in self.plan.skipped]
        for m in self.plan.months:
            key = "archive_would_move" if dry_run else "archive_moved"
            lines.append(say(key, lang, month=m.month, count=len(m.numbers), file=m.file,
                             numbers=", ".join(m.numbers)))
        return lines or [say("archive_nothing", lang)]


@dataclass
class Staged:
    """A month's workbook as it will be after this run: old rows and new, and where it goes."""

    plan: MonthPlan
    final: Path
    tickets: ArchiveRows
    log: ArchiveRows
    report: tuple[str, dict] | None = None  # the report's cache entry (key, part) of the new workbook


def run_archive(path: Path, month: str | None = None, all_before: str | None = None,
                now: datetime | None = None, dry_run: bool = False,
                progress: Progress | None = None) -> tuple[Tracker, ArchiveResult]:
    """Finish or undo an interrupted run, then move the closed tickets of ``month`` (default: the
    current one) or of every month before ``all_before``."""
    path = Path(path)
    engine = TrackerFile(path)  # the manifests' numbers too: a live ticket must not replace an archived one
    if dry_run:
        tracker = load_tracker(engine.read())
        folder = Folder.of(tracker, path)
        journal = folder.journal()
        result = ArchiveResult(_plan(tracker, folder, month, all_before, now))
        _tell_pictures(tracker, path, result.plan)
        result.pending = journal["phase"] if journal and journal["phase"] != "done" else None
        return tracker, result
    check_not_open(path)  # before any archive is written, not only once the tracker is
    check_writable(path)
    with engine.locked():
        tracker = load_tracker(engine.read())
        folder = Folder.of(tracker, path)
        with folder.locked():
            recovered = recover(folder, path, engine)
            if recovered:
                tracker = load_tracker(engine.read())
            result = ArchiveResult(_plan(tracker, folder, month, all_before, now), recovered)
            _tell_pictures(tracker, path, result.plan)
            if result.plan.months:
                _take_extras(tracker, path, result.plan.months)
                staged = [_stage(folder, m) for m in result.plan.months]
                _move(folder, path, engine, staged, result.plan.changes, tracker.settings, progress or _no_progress)
    return tracker, result


def _plan(tracker: Tracker, folder: Folder, month: str | None, all_before: str | None,
          now: datetime | None) -> ArchivePlan:
    now = now or local_now(tracker.settings)
    base = Path(tracker.settings.archive_dir)

    def index_file(m: str) -> str:
        # as Settings names the folder: relative to the workbook's folder unless set absolute
        return (base / m / folder.file(m).name).as_posix()

    return plan_archive(tracker, wanted_months(month, all_before, now), now, index_file)


def _no_progress(total: int) -> AbstractContextManager:
    return nullcontext(SimpleNamespace(update=lambda n: None))


def _stage(folder: Folder, plan: MonthPlan) -> Staged:
    """The month's old rows (checked unchanged since written) merged with the new ones."""
    final = folder.file(plan.month)
    check_not_open(final)  # renaming over a workbook Excel holds fails on Windows
    old_tickets, old_log = ArchiveRows(plan.tickets.headers), ArchiveRows(plan.log.headers)
    recorded = folder.manifest(plan.month)
    if recorded:
        check_unchanged(folder, final, recorded)
        old_tickets, old_log = archive_rows(final, folder.lang, extras=True)
    elif final.exists():
        raise folder.problem("archive_unknown", path=final)
    moving = set(plan.numbers)
    return Staged(plan, final, merge(old_tickets, plan.tickets, "tickets", moving),
                  merge(old_log, plan.log, "log", moving))


def _tell_pictures(tracker: Tracker, path: Path, plan: ArchivePlan) -> None:
    """A picture drawn on a moving ticket's row stays in the tracker, where it is: say so."""
    moving = {r: n for m in plan.months for r, n in zip(m.sources[0], m.numbers)}
    if not moving:
        return
    table = tracker.tickets_table
    for r, c in picture_cells(path, table.name):
        if r in moving:
            plan.skipped.append(("archive_picture", {"cell": f"{table.name}!{a1(r, c)}", "number": moving[r]}))


def _take_extras(tracker: Tracker, path: Path, months: list[MonthPlan]) -> None:
    """The links, notes and rich text of the rows that move, read from the tracker's package."""
    tables = [t for t in (tracker.tickets_table, tracker.log_table) if t is not None]
    extras = read_extras(path, [t.name for t in tables])
    for plan in months:
        for rows, table, sources in zip((plan.tickets, plan.log), tables, plan.sources):
            columns = layout(table, tracker.lang)
            found = extras.get(table.name, {})
            rows.rows = [with_extras(row, r, columns, found) for row, r in zip(rows.rows, sources)]


def check_unchanged(folder: Folder, final: Path, recorded: dict) -> None:
    """FileProblem when a month's workbook is gone or differs from what its manifest recorded."""
    if not final.exists():
        raise folder.problem("archive_missing", path=final)
    if sha256(final) != recorded.get("sha256"):
        raise folder.problem("archive_edited", path=final)


# -- the move -------------------------------------------------------------------------------------------

def _move(folder: Folder, source: Path, engine: FileEngine, staged: list[Staged], changes: ChangeSet,
          settings: Settings, progress: Progress) -> None:
    for s in staged:
        folder.make_dir(s.final.parent)
    journal = {"phase": "planned", "source": str(source.resolve()), "started": _utc_now(), "months": [
        {"month": s.plan.month, "file": s.final.name, "numbers": s.plan.numbers, "index_file": s.plan.file}
        for s in staged]}
    folder.write_journal(journal)
    _step("planned")
    try:
        _write_temps(folder, staged, journal, settings, progress)
    except Exception:  # an error, not a crash: undo now rather than on the next run
        _roll_back(folder, journal)
        raise
    journal["phase"] = "archive-written"
    folder.write_journal(journal)
    _step("archive-written")
    _commit(folder, journal, engine, changes)
    for s in staged:  # the first report after a month end finds the archived months computed already
        write_cached(s.final, *s.report)


def _write_temps(folder: Folder, staged: list[Staged], journal: dict, settings: Settings,
                 progress: Progress) -> None:
    """Each month's new workbook in its temp file, read back and verified; its manifest in the journal;
    its report rows computed from what was read back, as the report would from the workbook."""
    with progress(sum(len(s.plan.numbers) for s in staged)) as bar:
        for s, entry in zip(staged, journal["months"]):
            temp = _temp(s.final)
            write_archive(temp, s.plan.month, folder.lang, s.tickets, s.log)
            _fsync(temp)
            tables = archive_tables(temp)
            verify_archive(temp, tables, folder.lang, s.tickets, s.log)
            s.report = cache_key(temp, settings), archive_part(table_entries(*tables), settings)
            entry["manifest"] = manifest(s.plan.month, s.final.name, s.tickets, s.log, sha256(temp),
                                         journal["source"], _utc_now())
            _step("temp-written")
            bar.update(len(s.plan.numbers))


def _commit(folder: Folder, journal: dict, engine: FileEngine, changes: ChangeSet | None) -> None:
    """Roll forward from archive-written: archives into place, then the tracker, then done.

    ``changes`` is None in recovery: the tracker's part is planned again from the file as it is.
    """
    for entry in journal["months"]:
        _put_in_place(folder, folder.path / entry["month"], entry)
        _step("archive-replaced")
    if changes is None:
        tracker = load_tracker(engine.read())
        entries = [(n, e["month"], e["index_file"]) for e in journal["months"] for n in e["numbers"]]
        changes = keep_current(tracker, tracker_changes(tracker, entries, find_table(tracker.book, "archive_index")),
                               local_now(tracker.settings))
    try:
        engine.apply(changes)
    except TrackError as exc:  # the archives are in place: only a rerun can finish, never undo
        raise folder.problem("archive_unfinished", reason=exc) from None
    _step("tracker-applied")
    journal["phase"] = "tracker-written"
    folder.write_journal(journal)
    _step("tracker-written")
    _finish(folder, journal)


def _finish(folder: Folder, journal: dict) -> None:
    journal["phase"], journal["finished"] = "done", _utc_now()
    folder.write_journal(journal)
    _step("done")


def _put_in_place(folder: Folder, month_dir: Path, entry: dict) -> None:
    """Rename the verified temp file over the month's workbook (unless done already), then its manifest."""
    final = month_dir / entry["file"]
    temp = _temp(final)
    digest = entry["manifest"]["sha256"]
    if temp.exists() and sha256(temp) == digest:
        os.replace(temp, final)
        fsync_dir(month_dir)
    elif not final.exists() or sha256(final) != digest:
        raise folder.problem("archive_lost", path=final)
    folder.write_json(month_dir / MANIFEST, entry["manifest"])


def _roll_back(folder: Folder, journal: dict) -> None:
    """Undo a move that never reached archive-written: only temp files exist to remove."""
    for entry in journal["months"]:
        _temp(folder.path / entry["month"] / entry["file"]).unlink(missing_ok=True)
    (folder.path / JOURNAL).unlink()


def recover(folder: Folder, source: Path, engine: FileEngine) -> str | None:
    """Finish or undo a run that stopped: "completed", "rolled_back", or None when none had."""
    journal = folder.journal()
    if journal is None or journal["phase"] == "done":
        return None
    if Path(journal["source"]) != source.resolve():
        raise folder.problem("archive_journal_other", path=folder.path / JOURNAL, source=journal["source"])
    if journal["phase"] == "planned":
        _roll_back(folder, journal)
        return "rolled_back"
    if journal["phase"] == "archive-written":
        _commit(folder, journal, engine, None)
    else:  # tracker-written: only the record is left to finish
        _finish(folder, journal)
    return "completed"


# -- files ------------------------------------------------------------------------------------------------

def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(2**20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _temp(final: Path) -> Path:
    return final.with_name(f".{final.name}.tmp")


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _fsync(path: Path) -> None:
    with open(path, "rb+") as f:
        os.fsync(f.fileno())
