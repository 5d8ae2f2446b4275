"""``init``: a new tracker written beside its name and renamed into place, so a full disk leaves
nothing half written; over an existing file (with --force) only when no one has it open, and the
file it replaces is kept in ``.track-xls-backups/``."""

from __future__ import annotations

import os
from pathlib import Path

from ..author.template import build_template
from ..core.errors import FileProblem
from ..core.settings import DEFAULT_PARAMS
from ..live.macro import build_macro_workbook
from ..xlsx.safe_write import check_not_open, check_writable, fsync_dir, keep_backup, real_file, temp_name


def make_tracker(path: Path, lang: str, macro: bool) -> Path | None:
    """Write a new tracker at ``path``; the backup of the file it replaced, if any."""
    real = real_file(path)
    if macro and real.suffix.lower() != ".xlsm":
        raise FileProblem("macro_suffix", lang=lang, path=path)
    if real.exists():
        check_not_open(path)
        check_writable(real)
    tmp = temp_name(real)
    try:
        # An .xlsm must hold a VBA project: Excel refuses one whose package says it has none.
        if macro or real.suffix.lower() == ".xlsm":
            build_macro_workbook(tmp, lang)
        else:
            build_template(tmp, lang)
        backup = keep_backup(real, DEFAULT_PARAMS["backups_kept"]) if real.exists() else None
        os.replace(tmp, real)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(real.parent)
    return backup
