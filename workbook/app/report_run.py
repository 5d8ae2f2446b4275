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
    report.sources = [str(path), *map(str, loaded.archives)]
    return report
