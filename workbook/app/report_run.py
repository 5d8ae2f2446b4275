"""`track-xls report` on a file: the tracker and its archives read into one frame, the figures built."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.calendar import BusinessCalendar
from ..core.report import build_report
from ..core.report_model import Report
from ..core.reviews import find_needs, read_reviews
from ..core.settings import local_now
from .report_frame import load_frame


def make_report(path: Path, month: str | None = None, now: datetime | None = None) -> Report:
    """Read the tracker at ``path`` and its archives; the report of ``month`` (default: now's month)."""
    loaded = load_frame(Path(path))
    tracker = loaded.tracker
    now = now or local_now(tracker.settings)
    month = month or f"{now:%Y-%m}"
    calendar = BusinessCalendar.from_settings(tracker.settings)
    reviews = read_reviews(tracker.reviews_table)
    needs = find_needs(loaded.tickets, reviews, tracker.settings, tracker.lang)
    report = build_report(loaded.frame, reviews, needs, tracker.settings, calendar, month, now, tracker.lang)
    report.sources = [_relative(source, Path(path).resolve().parent) for source in (path, *loaded.archives)]
    report.compliance_target = tracker.settings.compliance_target
    return report


def _relative(path: Path, folder: Path) -> str:
    """A file as named from the tracker's folder: a report sent on shows no one's home folders."""
    path = Path(path).resolve()
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name  # an archive folder elsewhere: its file name says which month it is
