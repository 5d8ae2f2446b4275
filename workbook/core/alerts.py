"""SLA alerts: which are due, their messages, and the Log rows that remember them. Pure.

An open ticket gets one alert per metric and level: 预警 (at risk) once a running target has used
the warning threshold, 超时 (overdue) once it is missed. The alert goes to the assignee by e-mail
(their address from the 通讯录 / Contacts section, or the assignee cell itself when it holds one)
and to the team-chat robot (the assignee @-mentioned by mobile); an overdue one also to the
supervisors named in Settings.

Each delivered alert is remembered as a 通知 Log row ending in a marker such as
``[alert resolution at_risk mail,chat]``, so a run every five minutes never repeats it; a channel
that failed is missing from the marker and is tried again on the next run. The update target
recurs: each interval is its own deadline, so its marker carries the deadline
(``[alert update at_risk@2024-05-20T15:00 chat]``) and every late interval is told once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from string import Formatter

from . import schema
from .calendar import BusinessCalendar
from .changeset import ChangeSet
from .channels import Channels
from .computed import pending, ticket_times
from .errors import InputError
from .log import log_row
from .messages import say
from .parse import text
from .refresh import AUTHOR
from .sla import Rules, SlaResult
from .tickets import Ticket
from .tracker import Tracker

CHANNELS = ("mail", "chat")
ALERT_FIELDS = ("number", "priority", "module", "description", "reporter", "assignee", "status", "metric", "level",
                "due", "used")
DIGEST_FIELDS = ("now", "open", "at_risk", "overdue", "lines")
DIGEST_LINE_FIELDS = ("number", "priority", "state", "assignee", "module", "due", "breached")
SECTIONS = {"at_risk": ALERT_FIELDS, "overdue": ALERT_FIELDS, "digest": DIGEST_FIELDS,
            "digest_line": DIGEST_LINE_FIELDS}
_MARKER = re.compile(r"\[alert (\w+) (\w+)(?:@(\S+))? ([\w,]+)\]")
_DUES = {"response": "response_due", "assignment": "assignment_due", "update": "next_update_due",
         "resolution": "resolution_due"}

Key = tuple[str, str, str, str]  # ticket number, metric, level, deadline of a recurring interval ('' otherwise)


@dataclass(frozen=True)
class Alert:
    ticket: Ticket
    metric: str  # a key of schema.METRICS
    level: str  # "at_risk" | "overdue"
    due: datetime | None
    used: float | None  # share of the target used at now

    @property
    def key(self) -> Key:
        cycle = f"{self.due:%Y-%m-%dT%H:%M}" if self.metric == "update" and self.due else ""
        return self.ticket.number, self.metric, self.level, cycle


@dataclass(frozen=True)
class Message:
    channel: str  # "mail" | "chat"
    to: tuple[str, ...]  # e-mail addresses; for chat, the mobiles to @-mention
    subject: str
    body: str
    alert: Alert | None = None  # None for the digest


@dataclass
class Plan:
    """What one alert run sends: the messages, and the alerts no channel can reach."""
    messages: list[Message] = field(default_factory=list)
    unreachable: list[Alert] = field(default_factory=list)


def current_alerts(tracker: Tracker, now: datetime) -> list[Alert]:
    """Every alert that applies at ``now`` to the open, numbered tickets, remembered or not."""
    rules = Rules(tracker.settings, BusinessCalendar.from_settings(tracker.settings))
    out = []
    for ticket in tracker.tickets:
        if ticket.done or not ticket.number or not ticket.reported_at or not ticket.priority:
            continue
        sla = rules.evaluate(ticket_times(ticket, tracker.histories.get(ticket.number)), now)
        out.extend(_ticket_alerts(ticket, sla, tracker.settings.warn_ratio))
    return out


def _ticket_alerts(ticket: Ticket, sla: SlaResult, warn_ratio: float) -> list[Alert]:
    out = []
    for metric in schema.METRICS:
        used = sla.used.get(metric)
        if metric == "update":  # a late interval in the past was told then; the running one counts
            late = used is not None and used > 1
        else:
            late = metric in sla.breached
        level = "overdue" if late else ("at_risk" if used is not None and used >= warn_ratio else None)
        if level:
            out.append(Alert(ticket, metric, level, getattr(sla, _DUES[metric]), used))
    return out


def remembered(tracker: Tracker) -> dict[Key, set[str]]:
    """Alert key -> channels it was delivered on, from the markers in the Log's 通知 rows."""
    out: dict[Key, set[str]] = defaultdict(set)
    if tracker.log_table is None:
        return out
    for _, (number, kind, note) in tracker.log_table.values(("ticket_no", "kind", "text")):
        if schema.code_of(schema.LOG_KINDS, kind) != "notification":
            continue
        for metric, level, cycle, channels in _MARKER.findall(text(note)):
            out[(text(number), metric, level, cycle)].update(channels.split(","))
    return out


def plan_alerts(tracker: Tracker, channels: Channels, now: datetime, templates: dict[str, str], source: str,
                lang: str) -> Plan:
    """The messages still owed: each current alert on each channel it has not been delivered on."""
    check_templates(templates, source, lang, ("at_risk", "overdue"))
    sent = remembered(tracker)
    plan = Plan()
    for alert in current_alerts(tracker, now):
        subject, body = render_alert(alert, templates, lang)
        messages = _messages(alert, channels, subject, body)
        if not messages:
            plan.unreachable.append(alert)
        done = sent.get(alert.key, set())
        plan.messages.extend(m for m in messages if m.channel not in done)
    return plan


def _messages(alert: Alert, channels: Channels, subject: str, body: str) -> list[Message]:
    assignee = alert.ticket.text("assignee")
    to = [a for a in (channels.address_of(assignee),) if a]
    if alert.level == "overdue":
        to += [a for a in channels.supervisors if a not in to]
    out = []
    if channels.smtp and to:
        out.append(Message("mail", tuple(to), subject, body, alert))
    if channels.robot:
        mobile = channels.mobile_of(assignee)
        out.append(Message("chat", (mobile,) if mobile else (), subject, body, alert))
    return out


def render_alert(alert: Alert, templates: dict[str, str], lang: str) -> tuple[str, str]:
    """(subject, body) of an alert, the body from the template section named by its level."""
    ticket = alert.ticket
    status = schema.STATUSES[ticket.status](lang) if ticket.status else ticket.text("status")
    values = {
        "number": ticket.number, "priority": ticket.priority or "", "status": status,
        **{key: ticket.text(key) for key in ("module", "description", "reporter", "assignee")},
        "metric": schema.METRICS[alert.metric](lang), "level": schema.SLA_STATES[alert.level](lang),
        "due": _when(alert.due), "used": f"{alert.used:.0%}" if alert.used is not None else "",
    }
    subject = say(f"alert_subject_{alert.level}", lang, **values)
    return subject, templates[alert.level].format(**values)


def render_digest(tracker: Tracker, now: datetime, templates: dict[str, str], source: str,
                  lang: str) -> tuple[str, str]:
    """(subject, body) of the summary: open tickets, and one line per ticket at risk or overdue."""
    check_templates(templates, source, lang, ("digest", "digest_line"))
    rules = Rules(tracker.settings, BusinessCalendar.from_settings(tracker.settings))
    counts = {"open": 0, "at_risk": 0, "overdue": 0}
    lines = []
    for ticket in tracker.tickets:
        if ticket.done or not ticket.number or not ticket.reported_at or not ticket.priority:
            continue
        sla = rules.evaluate(ticket_times(ticket, tracker.histories.get(ticket.number)), now)
        counts["open"] += 1
        if sla.state in ("at_risk", "overdue"):
            counts[sla.state] += 1
            due = min((d.due for d in pending(ticket, sla)), default=None)
            lines.append((sla.state != "overdue", due or now, templates["digest_line"].format(
                number=ticket.number, priority=ticket.priority, state=schema.SLA_STATES[sla.state](lang),
                assignee=ticket.text("assignee") or "—", module=ticket.text("module"), due=_when(due),
                breached=schema.LIST_SEPARATOR(lang).join(schema.METRICS[m](lang) for m in sla.breached))))
    lines.sort(key=lambda item: item[:2])  # overdue first, then by the nearest deadline
    values = {"now": _when(now), **counts, "lines": "\n".join(line for *_, line in lines)}
    return say("digest_subject", lang, **values), templates["digest"].format(**values).strip()


def digest_messages(channels: Channels, subject: str, body: str) -> list[Message]:
    """The summary goes to the team chat and the supervisors."""
    out = []
    if channels.smtp and channels.supervisors:
        out.append(Message("mail", channels.supervisors, subject, body))
    if channels.robot:
        out.append(Message("chat", (), subject, body))
    return out


def plan_alert_log(tracker: Tracker, delivered: list[Message], now: datetime) -> ChangeSet:
    """One 通知 Log row per alert delivered on at least one channel, its marker naming the channels."""
    by_alert: dict[Key, list[Message]] = {}
    for message in delivered:
        if message.alert is not None:
            by_alert.setdefault(message.alert.key, []).append(message)
    changes = ChangeSet()
    table = tracker.log_table
    if not by_alert:
        return changes
    if table is None:
        raise InputError("alert_no_log", schema.SHEETS["log"](tracker.lang), lang=tracker.lang)
    row = table.end_row
    for (number, metric, level, cycle), messages in by_alert.items():
        alert = messages[0].alert
        lang = tracker.lang
        marker = f"[alert {metric} {level}{'@' + cycle if cycle else ''} {','.join(m.channel for m in messages)}]"
        note = say("alert_logged", lang, level=schema.SLA_STATES[level](lang), metric=schema.METRICS[metric](lang),
                   due=_when(alert.due), to=recipients(messages, lang), marker=marker)
        for col, value in log_row(table, number, now, AUTHOR, "notification", note).items():
            changes.set(table.name, row, col, value)
        row += 1
    return changes


def recipients(messages: list[Message], lang: str) -> str:
    """Who a set of messages went to, for the Log and the summary: '邮件 a@x, b@y；群机器人'."""
    parts = []
    for message in messages:
        if message.channel == "mail":
            parts.append(say("via_mail", lang, to=", ".join(message.to)))
        else:
            parts.append(say("via_chat", lang))
    return ("；" if lang == "zh" else "; ").join(parts)


def check_templates(templates: dict[str, str], source: str, lang: str, sections: tuple[str, ...]) -> None:
    """Refuse a template without a needed section or with a placeholder the section does not know."""
    for section in sections:
        template = templates.get(section)
        if not template:
            raise InputError("notice_kind", lang=lang, path=source, kind=section)
        for _, name, _, _ in Formatter().parse(template):
            if name is not None and name not in SECTIONS[section]:
                raise InputError("notice_field", lang=lang, path=source, kind=section, field=name,
                                 allowed=", ".join(SECTIONS[section]))


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""
