"""`track-xls report` on a file: the tracker and its archives read into one frame, the figures built."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.calendar import BusinessCalendar
from ..core.report import Judge, build_report, judge_here
from ..core.report_model import Report
from ..core.reviews import find_needs, read_reviews
from ..core.settings import Settings, local_now
from .child import in_child
from .report_frame import load_frame


def make_report(path: Path, month: str | None = None, now: datetime | None = None) -> Report:
    """Read the tracker at ``path`` and its archives; the report of ``month`` (default: now's month)."""
    loaded = load_frame(Path(path))
    tracker = loaded.tracker
    now = now or local_now(tracker.settings)
    month = month or f"{now:%Y-%m}"
    calendar = BusinessCalendar.from_settings(tracker.settings)
    reviews = read_reviews(tracker.reviews_table)
    # The review rules run before the frame is first used: its live rows are being made in a child meanwhile.
    needs = find_needs(loaded.tickets, reviews, tracker.settings, tracker.lang)
    report = build_report(loaded.frame, reviews, needs, tracker.settings, calendar, month, now, tracker.lang,
                          judge_in_two(tracker.settings, calendar))
    report.sources = [_relative(source, Path(path).resolve().parent) for source in (path, *loaded.archives)]
    report.compliance_target = tracker.settings.compliance_target
    return report


# The report judges every ticket open at each of its twelve month ends: ~20,000 SLA evaluations with 10k
# tickets and two years of archives, pure CPU work. From this many on, half are judged in a child.
PARALLEL_FROM = 4000


def judge_in_two(settings: Settings, calendar: BusinessCalendar) -> Judge:
    """Half the jobs judged in a forked child while this process judges the other half."""
    here = judge_here(settings, calendar)

    def judge(jobs: list) -> list[tuple[str, ...]]:
        if len(jobs) < PARALLEL_FROM:
            return here(jobs)
        half = len(jobs) // 2
        theirs = in_child(lambda: here(jobs[:half]))
        mine = here(jobs[half:])
        return theirs() + mine
    return judge


def _relative(path: Path, folder: Path) -> str:
    """A file as named from the tracker's folder: a report sent on shows no one's home folders."""
    path = Path(path).resolve()
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name  # an archive folder elsewhere: its file name says which month it is
