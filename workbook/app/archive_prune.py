"""Retention: archives are kept at least ``retention_months`` (Settings, never below 12) after their
month ends; ``archive --prune`` lists the older ones and removes them only with ``--yes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.archive import expired
from .archive_layout import MANIFEST
from .archive_store import Folder, recover
from .report_cache import CACHE
from ..xlsx.file_engine import FileEngine
from ..core.messages import say
from ..core.settings import local_now
from ..core.tracker import Tracker, load_tracker


@dataclass
class PruneResult:
    expired: list[Path]  # month folders kept past the retention
    retention_months: int
    removed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # expired folders that also hold files of the user's

    def summary(self, lang: str, yes: bool) -> list[str]:
        if not self.expired:
            return [say("prune_none", lang, months=self.retention_months)]
        if not yes:
            return [say("prune_would", lang, months=self.retention_months), *(f"  {p}" for p in self.expired)]
        return ([say("prune_removed", lang, path=p) for p in self.removed]
                + [say("prune_kept", lang, path=p) for p in self.kept])


def run_prune(path: Path, now: datetime | None = None, yes: bool = False) -> tuple[Tracker, PruneResult]:
    """Month folders kept longer than the retention in Settings; removed only when ``yes``.

    Only what the archive wrote (the workbook and its manifest) is removed: a folder that also holds
    other files keeps them and stays. The 归档索引 sheet keeps the numbers reserved.
    """
    path = Path(path)
    engine = FileEngine(path)
    tracker = load_tracker(engine.read())
    folder = Folder.of(tracker, path)
    retention = tracker.settings.retention_months
    old = expired(folder.months(), now or local_now(tracker.settings), retention)
    result = PruneResult([folder.path / m for m in old], retention)
    if yes and old:
        with engine.locked(), folder.locked():
            recover(folder, path, engine)  # an interrupted move is finished before anything goes
            for month in old:
                _remove(folder, month, result)
    return tracker, result


def _remove(folder: Folder, month: str, result: PruneResult) -> None:
    month_dir = folder.path / month
    try:
        folder.file(month).unlink(missing_ok=True)
        (month_dir / MANIFEST).unlink()
        (month_dir / CACHE).unlink(missing_ok=True)  # the report's, of the archive just removed
        if any(month_dir.iterdir()):
            result.kept.append(month_dir)
        else:
            month_dir.rmdir()
            result.removed.append(month_dir)
    except OSError as exc:
        raise folder.problem("archive_not_writable", path=month_dir, reason=exc.strerror or exc) from None
