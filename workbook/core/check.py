"""``check``: every problem in a tracker, without changing it."""

from __future__ import annotations

from datetime import datetime

from .archive_index import index_notes
from .calendar import BusinessCalendar
from .limits import check_limits
from .normalize import choice_lists
from .settings import local_now
from .tracker import Engine, Tracker, load_tracker
from .validation import Finding, calendar_years, check_tickets


def run_check(engine: Engine, now: datetime | None = None,
              lang: str | None = None) -> tuple[Tracker, list[Finding], list[str]]:
    """(tracker, findings, notes): findings are errors, told in ``lang`` (default: the workbook's);
    notes are calendar warnings."""
    tracker = load_tracker(engine.read())
    now = now or local_now(tracker.settings)
    findings = check_tickets(tracker.tickets_table, tracker.tickets, now, lang or tracker.lang, tracker.reserved,
                             choice_lists(tracker))
    findings += check_limits(tracker, lang or tracker.lang)
    years = calendar_years(tracker.tickets, now)
    notes = BusinessCalendar.from_settings(tracker.settings).warnings(years, lang or tracker.lang) + index_notes(tracker, lang or tracker.lang)
    return tracker, findings, notes
