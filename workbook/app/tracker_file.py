"""A tracker on disk together with its archives: the file engine, whose reads also carry the
ticket numbers the archive manifests record, so no command hands one out again even when the
归档索引 sheet has lost it (:mod:`workbook.core.archive_index` writes it back)."""

from __future__ import annotations

import json
from pathlib import Path

from ..core.book import BookData
from ..core.errors import FileProblem
from ..core.row_digests import Known
from ..author.purpose import purpose_of
from ..core.settings import Settings, read_settings
from ..xlsx.file_engine import FileEngine
from .archive_layout import MANIFEST, archive_folder


class TrackerFile(FileEngine):
    def read(self) -> BookData:
        self._refuse_archive()
        return self._with_archived(super().read())

    def read_known(self, known: dict[str, Known], context: bytes) -> BookData:
        self._refuse_archive()
        return self._with_archived(super().read_known(known, context))

    def _refuse_archive(self) -> None:
        if purpose_of(self.path) == "archive":  # only the archive command writes an archive
            raise FileProblem("is_archive", where=self.path)

    def _with_archived(self, book: BookData) -> BookData:
        book.archived = archived_numbers(self.path, read_settings(book))
        return book


def archived_numbers(workbook: Path, settings: Settings) -> dict[str, tuple[str, str]]:
    """Number -> (month, file as the index records it) of every ticket an archive manifest lists."""
    folder = archive_folder(workbook, settings)
    if not folder.is_dir():
        return {}
    out: dict[str, tuple[str, str]] = {}
    for manifest_path in sorted(folder.glob(f"*/{MANIFEST}")):
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            month, name, numbers = manifest["month"], manifest["file"], manifest["tickets"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise FileProblem("manifest_unreadable", where=manifest_path, reason=exc) from None
        file = (Path(settings.archive_dir) / month / name).as_posix()
        out.update((str(n), (month, file)) for n in numbers)
    return out
