"""`track-xls notify` on a file: the notice rendered from the templates beside the workbook (or the project's)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.changeset import ChangeSet
from ..core.errors import FileProblem
from ..core.lifecycle import find_ticket, plan_log
from ..core.notify import default_kind, parse_templates, render_notice
from ..core.settings import local_now
from ..core.tracker import Engine, Tracker, load_tracker

PROJECT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def template_file(workbook: str | Path, lang: str) -> Path:
    """The notification template for ``lang``: beside the workbook first, then the project's."""
    name = f"notifications.{lang}.txt"
    places = [Path(workbook).resolve().parent / "templates", PROJECT_TEMPLATES]
    for place in places:
        if (place / name).is_file():
            return place / name
    raise FileProblem("notice_missing", lang=lang, name=name, places=", ".join(str(p) for p in places))


def run_notify(engine: Engine, workbook: str | Path, number: str, kind: str | None = None,
               now: datetime | None = None, lang: str | None = None, log: bool = False, dry_run: bool = False,
               author: str | None = None) -> tuple[Tracker, str, ChangeSet]:
    """(tracker, notice, change set): the change set logs the notice when ``log``, applied unless a dry run."""
    tracker = load_tracker(engine.read())
    now = now or local_now(tracker.settings)
    lang = lang or tracker.lang
    ticket = find_ticket(tracker, number, lang)
    kind = kind or default_kind(ticket, tracker.histories.get(ticket.number))
    source = template_file(workbook, lang)
    templates = parse_templates(source.read_text(encoding="utf-8").splitlines())
    notice = render_notice(tracker, number, kind, templates, str(source), now, lang)
    changes = plan_log(tracker, number, now, "notification", notice, author=author, lang=lang) if log else ChangeSet()
    if changes and not dry_run:
        engine.apply(changes)
    return tracker, notice, changes
