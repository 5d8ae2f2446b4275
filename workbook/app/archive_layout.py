"""Where archives live: the archive folder, one ``YYYY-MM`` folder per month with its workbook and
``manifest.json``, and the journal of a run in progress. A folder without a manifest holds no
finished archive.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.errors import FileProblem
from ..core.settings import Settings

JOURNAL = ".journal.json"
MANIFEST = "manifest.json"


def archive_folder(workbook: Path, settings: Settings) -> Path:
    """The archive folder Settings names: relative to the workbook's folder unless absolute."""
    folder = Path(settings.archive_dir).expanduser()
    return folder if folder.is_absolute() else Path(workbook).resolve().parent / folder


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
            raise FileProblem("manifest_unreadable", where=month_dir / MANIFEST, reason=exc) from None
        file = month_dir / str(manifest.get("file", ""))
        if not file.is_file():
            raise FileProblem("manifest_file_missing", where=file, manifest=month_dir / MANIFEST)
        files.append(file)
    return files
