"""Notices to the reporter, rendered from editable templates (``templates/notifications.<lang>.txt``).

A template file holds one ``[kind]`` section per notice (accepted, progress, resolved); the text
under it, several lines allowed, is a ``str.format`` template over :data:`PLACEHOLDERS`; lines
starting with ``#`` are comments. The file is looked up first in a ``templates`` folder beside the
workbook (a team's own wording), then in the project's ``templates`` folder.

``notify`` prints the notice. With ``--log`` it is also recorded as a 通知 Log row through
:func:`workbook.core.lifecycle.plan_log`, so it counts as the first response when none is recorded.
The seed's wording "预计初步反馈时间：N小时内" takes N from the SLA targets: the priority's
update interval, or its response target when it has no update interval (P3/P4 by default).
"""

from __future__ import annotations

import re
from datetime import datetime
from string import Formatter

from . import schema
from .calendar import BusinessCalendar
from .errors import InputError
from .lifecycle import find_ticket
from .log import History
from .messages import say
from .parse import parse_datetime, text
from .computed import ticket_times
from .settings import Settings
from .sla import evaluate, target_minutes
from .tickets import Ticket
from .tracker import Tracker

PLACEHOLDERS = ("number", "reporter", "assignee", "module", "description", "priority", "hours", "next_update",
                "latest", "summary", "workaround", "long_term_fix", "resolved_at")
_SECTION = re.compile(r"^\[(\w+)\]$")


def parse_templates(lines: list[str]) -> dict[str, str]:
    """A notifications.<lang>.txt file's lines -> section name -> template text."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines:
        m = _SECTION.match(line.strip())
        if m:
            current = m.group(1)
            sections[current] = []
        elif current is not None and not line.lstrip().startswith("#"):
            sections[current].append(line.rstrip())
    return {kind: "\n".join(lines).strip() for kind, lines in sections.items()}


def default_kind(ticket: Ticket, history: History | None) -> str:
    """resolved once done, progress once an update was given, accepted before that."""
    if ticket.done:
        return "resolved"
    if ticket.time("last_update_at") or (history and history.updates):
        return "progress"
    return "accepted"


def render_notice(tracker: Tracker, number: str, kind: str, templates: dict[str, str], source: str,
                  now: datetime, lang: str) -> str:
    """The notice of ``kind`` for a ticket; refuses one out of order (accepted before assignment...)."""
    ticket = find_ticket(tracker, number, lang)
    _refuse_out_of_order(tracker, ticket, kind, lang)
    template = templates.get(kind)
    if not template:
        raise InputError("notice_kind", lang=lang, path=source, kind=kind)
    for _, field, _, _ in Formatter().parse(template):
        if field is not None and field not in PLACEHOLDERS:
            raise InputError("notice_field", lang=lang, path=source, kind=kind, field=field,
                             allowed=", ".join(PLACEHOLDERS))
    return template.format(**notice_values(tracker, ticket, now))


def notice_values(tracker: Tracker, ticket: Ticket, now: datetime) -> dict[str, str]:
    calendar = BusinessCalendar.from_settings(tracker.settings)
    sla = evaluate(ticket_times(ticket, tracker.histories.get(ticket.number)), tracker.settings, calendar, now)
    return {
        "number": ticket.number,
        **{key: ticket.text(key) for key in ("reporter", "assignee", "module", "description", "summary",
                                             "workaround", "long_term_fix")},
        "priority": ticket.priority or "",
        "hours": feedback_hours(tracker.settings, calendar, ticket.priority),
        "next_update": _when(sla.next_update_due),
        "latest": latest_update(tracker, ticket.number),
        "resolved_at": _when(ticket.time("resolved_at")),
    }


def feedback_hours(settings: Settings, calendar: BusinessCalendar, priority: str | None) -> str:
    """Hours promised for the next feedback: the update interval, else the response target."""
    target = settings.target(priority, "update") or settings.target(priority, "response")
    return f"{target_minutes(target, calendar) / 60:g}" if target else ""


def latest_update(tracker: Tracker, number: str) -> str:
    """The text of the ticket's latest 进展同步 Log row ('' when none)."""
    latest: tuple[datetime, str] | None = None
    for _, record in tracker.log_table.records() if tracker.log_table else ():
        when = parse_datetime(record.get("time"))
        if (text(record.get("ticket_no")) == number and when is not None
                and schema.code_of(schema.LOG_KINDS, record.get("kind")) == "update"
                and (latest is None or when >= latest[0])):
            latest = (when, text(record.get("text")))
    return latest[1] if latest else ""


def _refuse_out_of_order(tracker: Tracker, ticket: Ticket, kind: str, lang: str) -> None:
    table = tracker.tickets_table
    where = (table.name, table.cell(ticket.row, "status"))
    status = schema.STATUSES[ticket.status](lang) if ticket.status else ticket.text("status")
    values = {"number": ticket.number, "status": status, "step": say("verb_notify", lang)}
    if kind == "resolved":
        if not ticket.done:
            raise InputError("step_not_done", *where, lang=lang, **values)
        return
    if ticket.done:
        raise InputError("step_done", *where, lang=lang, **values)
    if not ticket.text("assignee"):
        cell = table.cell(ticket.row, "assignee") if "assignee" in table.columns else None
        raise InputError("step_unassigned", table.name, cell, lang=lang, **values)


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""
