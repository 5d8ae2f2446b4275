"""`track-xls review` on a file: the tracker and its archives read, the plan of :mod:`workbook.core.reviews` applied."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.computed import keep_current
from ..core.reviews import ReviewPlan, plan_review
from ..core.settings import local_now
from ..core.tracker import Engine, Tracker, load_tracker
from .archives import archived_tickets


def run_review(engine: Engine, tracker_path: Path, now: datetime | None = None,
               dry_run: bool = False) -> tuple[Tracker, ReviewPlan]:
    """Plan from the workbook and the archives beside ``tracker_path``; apply unless a dry run."""
    tracker = load_tracker(engine.read())
    archived = archived_tickets(tracker_path, tracker.settings)
    now = now or local_now(tracker.settings)
    plan = plan_review(tracker, archived, now)
    if plan.changes:
        plan.changes = keep_current(tracker, plan.changes, now)  # 需复盘 follows the new rows at once
    if plan.changes and not dry_run:
        engine.apply(plan.changes)
    return tracker, plan
