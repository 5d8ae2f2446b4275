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


def template_file(workbook: str | Path, lang: str, stem: str = "notifications") -> Path:
    """The template file ``<stem>.<lang>.txt`` (notifications, alerts): beside the workbook first,
    then the project's."""
    name = f"{stem}.{lang}.txt"
    places = [Path(workbook).resolve().parent / "templates", PROJECT_TEMPLATES]
    for place in places:
        if (place / name).is_file():
            return place / name
    raise FileProblem("notice_missing", lang=lang, name=name, places=", ".join(str(p) for p in places))


def read_templates(path: Path) -> dict[str, str]:
    return parse_templates(path.read_text(encoding="utf-8").splitlines())


def run_notify(engine: Engine, workbook: str | Path, number: str, kind: str | None = None,
               now: datetime | None = None, lang: str | None = None, log: bool = False, dry_run: bool = False,
               author: str | None = None) -> tuple[Tracker, str, ChangeSet]:
    """(tracker, notice, change set): the change set logs the notice when ``log``, applied unless a dry run."""
    tracker = load_tracker(engine.read())
    now = now or local_now(tracker.settings)
    lang = lang or tracker.lang
    _, notice = notice_for(tracker, workbook, number, kind, now, lang)
    changes = plan_log(tracker, number, now, "notification", notice, author=author, lang=lang) if log else ChangeSet()
    if changes and not dry_run:
        engine.apply(changes)
    return tracker, notice, changes


def notice_for(tracker: Tracker, workbook: str | Path, number: str, kind: str | None, now: datetime,
               lang: str) -> tuple[str, str]:
    """(kind, notice): the kind defaults to the ticket's state; the template is the workbook's or the project's."""
    ticket = find_ticket(tracker, number, lang)
    kind = kind or default_kind(ticket, tracker.histories.get(ticket.number))
    source = template_file(workbook, lang)
    return kind, render_notice(tracker, number, kind, read_templates(source), str(source), now, lang)
