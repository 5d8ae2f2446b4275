"""``track-xls import``: read another tracker, map it, and append its tickets to ours in one write.

All or nothing by default: when any row is rejected nothing is written, so fixing the source and
importing again cannot double the rows that went in the first time. ``--skip-rejected`` takes
the rest and lists the rejected rows. The same write refreshes the tracker: the new rows are
numbered and every computed column and the dashboard are current.

A tracker that does not exist yet is made from the template in a temp file beside it and appears
under its name only once the tickets are in.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core import schema
from ..core.book import Value
from ..core.changeset import ChangeSet
from ..core.errors import FileProblem, InputError
from ..xlsx.file_engine import FileEngine
from .tracker_file import TrackerFile
from .import_source import read_source, read_map_file
from ..core.importer import Converted, Mapping, convert_rows, find_mapping, fingerprint, require_columns
from ..core.messages import say
from ..core.parse import text
from ..core.refresh import refreshed
from ..core.settings import local_now
from ..author.template import build_template
from ..core.tracker import Tracker, load_tracker

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class ImportResult:
    tracker_path: Path
    lang: str
    headers: list[Value]  # the source's header row
    mapping: Mapping
    converted: Converted
    changes: ChangeSet = field(default_factory=ChangeSet)
    no_column: list[str] = field(default_factory=list)  # mapped, but the tracker has no such column
    created: bool = False
    written: bool = False

    def lines(self, skip_rejected: bool) -> list[str]:
        lang = self.lang
        pairs = ", ".join(_pair(text(self.headers[c]), schema.column("tickets", k).label(lang))
                          for k, c in sorted(self.mapping.columns.items(), key=lambda kc: kc[1]))
        out = [say("import_columns", lang, pairs=pairs)]
        unused = self.mapping.unused + self.no_column
        if unused:
            out.append(say("import_unused", lang, names=", ".join(unused)))
        out.append(say("import_taken", lang, count=len(self.converted.tickets)))
        if self.converted.rejected:
            out.append(say("import_rejected", lang, count=len(self.converted.rejected)))
            out += [f"  {say('import_row', lang, row=r.row, reason=r.reason)}" for r in self.converted.rejected]
            if not skip_rejected:
                out.append(say("import_not_written", lang))
        if self.created and self.written:
            out.append(say("import_created", lang, path=self.tracker_path))
        if self.written:
            out.append(say("written", lang, path=self.tracker_path, cells=len(self.changes)))
        return out


def _pair(source: str, target: str) -> str:
    return source if source == target else f"{source}→{target}"


def run_import(source: str | Path, tracker_path: str | Path, map_file: str | Path | None = None,
               sheet: str | None = None, lang: str | None = None, now: datetime | None = None,
               dry_run: bool = False, skip_rejected: bool = False) -> ImportResult:
    source, tracker_path = Path(source), Path(tracker_path)
    overrides = read_map_file(map_file) if map_file else {}
    rows, mapping = _pick_sheet(read_source(source), overrides, sheet, source)
    headers = rows[mapping.header_row]
    lang = lang or ("zh" if any(_CJK.search(text(h)) for h in headers) else "en")
    if tracker_path.exists():
        return _into(TrackerFile(tracker_path), tracker_path, rows, mapping, now, dry_run, skip_rejected)
    if tracker_path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise FileProblem("suffix", lang=lang, path=tracker_path)
    return _into_new(tracker_path, lang, rows, mapping, now, dry_run, skip_rejected)


def _pick_sheet(sheets: dict[str, list[list[Value]]], overrides: dict, wanted: str | None,
                source: Path) -> tuple[list[list[Value]], Mapping]:
    """The named sheet, or the one whose header row feeds the most ticket columns."""
    if wanted is not None:
        if wanted not in sheets:
            raise InputError("import_no_sheet", str(source), sheet=wanted, sheets=", ".join(sheets))
        sheets = {wanted: sheets[wanted]}
    found = [(name, rows, find_mapping(rows, overrides)) for name, rows in sheets.items()]
    found = [f for f in found if f[2] is not None]
    if not found:
        require_columns(None, str(source))
    name, rows, mapping = max(found, key=lambda f: len(f[2].columns))
    return rows, require_columns(mapping, f"{source} [{name}]")


def _into_new(path: Path, lang: str, rows, mapping, now, dry_run, skip_rejected) -> ImportResult:
    # Made in a hidden folder beside the target (same file system, so linking it in is instant);
    # the engine's lock file for it goes away with the folder.
    folder = Path(tempfile.mkdtemp(prefix=".track-xls-import-", dir=path.parent))
    tmp = folder / path.name
    try:
        build_template(tmp, lang)
        result = _into(FileEngine(tmp, backups=0), path, rows, mapping, now, dry_run, skip_rejected)
        result.created = True
        if result.written:
            os.link(tmp, path)  # fails rather than overwrite a tracker someone made meanwhile
    except FileExistsError:
        raise FileProblem("exists", lang=lang, path=path) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _into(engine: FileEngine, path: Path, rows, mapping: Mapping, now: datetime | None, dry_run: bool,
          skip_rejected: bool) -> ImportResult:
    # One lock over read, plan and write: a refresh running meanwhile waits, and neither loses rows.
    with engine.locked():
        tracker = load_tracker(engine.read())
        now = now or local_now(tracker.settings)
        converted = convert_rows(rows, mapping, tracker.lang, now, _taken(tracker), _existing(tracker))
        result = ImportResult(path, tracker.lang, rows[mapping.header_row], mapping, converted)
        result.changes = refreshed(tracker, _append(tracker, converted), now)
        result.no_column = [text(result.headers[c]) for k, c in mapping.columns.items()
                            if k not in tracker.tickets_table.columns]
        go = result.changes and (skip_rejected or not converted.rejected)
        if go and not dry_run:
            engine.apply(result.changes)
            result.written = True
    return result


def _taken(tracker: Tracker) -> dict[str, str]:
    """Ticket number -> where it is used: a tracker cell, or the archive index."""
    table = tracker.tickets_table
    out = {number: schema.SHEETS["archive_index"](tracker.lang) for number in tracker.reserved}
    for ticket in tracker.tickets:
        for key in ("ticket_no", "legacy_no"):  # a legacy number imported before is taken too
            if ticket.text(key):
                out.setdefault(ticket.text(key), f"{table.name}!{table.cell(ticket.row, key)}")
    return out


def _existing(tracker: Tracker) -> dict[tuple, str]:
    """(reported at, reporter, description) of each ticket with a description -> its cell."""
    table = tracker.tickets_table
    found = ((fingerprint(t.raw), f"{table.name}!{table.cell(t.row, 'ticket_no')}") for t in tracker.tickets)
    return {key: cell for key, cell in found if key is not None}


def _append(tracker: Tracker, converted: Converted) -> ChangeSet:
    """The taken tickets as rows below the table's last one, in source order."""
    table = tracker.tickets_table
    changes = ChangeSet()
    for offset, (_, values) in enumerate(converted.tickets):
        for key, value in values.items():
            if key in table.columns and value is not None:
                changes.set(table.name, table.end_row + offset, table.columns[key], value)
    return changes
