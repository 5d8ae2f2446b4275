"""The backups kept beside a tracker (``.track-xls-backups/``): listing them, and putting one back.

A restore is a write like any other: under the tracker's lock, refused while Excel or LibreOffice
has the file open, the backup checked to be a workbook first, the current file kept as a backup
itself (so a restore can be undone by restoring that one), then swapped in atomically.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core.errors import FileProblem
from ..xlsx.safe_write import (BACKUP_DIR, advisory_lock, backups_of, check_not_open, keep_backup, replace_file,
                               temp_name)
from ..xlsx.safety import check_kind


@dataclass(frozen=True)
class Backup:
    number: int  # 1 = the newest
    path: Path
    saved_at: datetime
    size: int


def list_backups(path: str | Path) -> list[Backup]:
    """The backups of ``path``, newest first."""
    found = list(reversed(backups_of(path)))
    return [Backup(i, p, datetime.fromtimestamp(p.stat().st_mtime), p.stat().st_size)
            for i, p in enumerate(found, start=1)]


def find_backup(path: str | Path, which: str, lang: str) -> Path:
    """A backup by its number in the list, its file name, or its path."""
    backups = list_backups(path)
    for backup in backups:
        if which.strip() in (str(backup.number), backup.path.name, str(backup.path)):
            return backup.path
    candidate = Path(which)
    if candidate.is_file() and candidate.resolve().parent == (Path(path).resolve().parent / BACKUP_DIR):
        return candidate
    raise FileProblem("backup_unknown", lang=lang, which=which, folder=Path(path).parent / BACKUP_DIR)


def restore(path: str | Path, which: str, lang: str) -> tuple[Path, Path | None]:
    """Put backup ``which`` back as ``path``; (the backup restored, the backup the current file
    became, None when there was no current file)."""
    path = Path(path)
    source = find_backup(path, which, lang)
    check_kind(source)
    with advisory_lock(path):
        check_not_open(path)
        if not path.exists():  # the tracker itself was lost: the backup comes back as it is
            tmp = temp_name(path)
            shutil.copy2(source, tmp)
            os.replace(tmp, path)
            return source, None
        # Every backup stays: one more is kept, so this restore can itself be undone.
        kept = keep_backup(path, len(backups_of(path)) + 1)
        replace_file(path, lambda out: _copy(source, out), check_kind, backups=0)
    return source, kept


def _copy(source: Path, out) -> None:
    with open(source, "rb") as f:
        shutil.copyfileobj(f, out)
