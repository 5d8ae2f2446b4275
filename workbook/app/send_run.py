"""``track-xls alert`` and ``notify --send``: plan from the workbook, send, then log what was delivered.

The workbook stays locked from the read to the write, and a workbook open in Excel is refused before
anything is sent: a message that could not be recorded afterwards would be sent again by the next
run. Each message is sent on its own; a failure is one :class:`Outcome` with its reason, and only
delivered messages become Log rows (applied through the file engine), so the next run retries the rest.
A channel that cannot be reached at all is not tried again within the run: a scheduled run against a
dead server ends after one timeout, not one per message, and does not hold the workbook's lock long.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..core.alerts import Alert, Message, digest_messages, plan_alert_log, plan_alerts, recipients, render_digest
from ..core.changeset import ChangeSet
from ..core.channels import Channels, address_in, read_channels
from ..core.errors import ChannelDown, DeliveryError, InputError
from ..core.lifecycle import find_ticket, plan_log
from ..core.messages import say
from .notify_run import notice_for, read_templates, template_file
from ..core.settings import local_now
from ..core.tracker import Tracker, load_tracker
from ..xlsx.file_engine import FileEngine
from ..xlsx.safe_write import check_openable
from .delivery import deliver, secrets_from_keyring


@dataclass(frozen=True)
class Outcome:
    message: Message
    error: str | None = None  # None: accepted (or, in a dry run, would be sent)


@dataclass
class Run:
    lang: str
    outcomes: list[Outcome] = field(default_factory=list)
    unreachable: list[Alert] = field(default_factory=list)
    changes: ChangeSet = field(default_factory=ChangeSet)
    text: str = ""  # the notice, for notify --send

    @property
    def failed(self) -> bool:
        return bool(self.unreachable) or any(o.error for o in self.outcomes)


def run_alert(path: str | Path, now: datetime | None = None, dry_run: bool = False, digest: bool = False,
              lang: str | None = None, env: Mapping[str, str] | None = None) -> Run:
    """Send the alerts still owed (or, with ``digest``, one summary) and log the delivered alerts."""
    engine = FileEngine(path)
    with engine.locked():
        tracker, now, lang, channels = _open(engine, path, now, lang, env, dry_run)
        source = template_file(path, lang, "alerts")
        templates = read_templates(source)
        run = Run(lang)
        if digest:
            subject, body = render_digest(tracker, now, templates, str(source), lang)
            messages = digest_messages(channels, subject, body)
        else:
            plan = plan_alerts(tracker, channels, now, templates, str(source), lang)
            messages, run.unreachable = plan.messages, plan.unreachable
        run.outcomes = _send(messages, channels, lang, dry_run)
        delivered = [o.message for o in run.outcomes if o.error is None]
        run.changes = plan_alert_log(tracker, delivered, now)
        if run.changes and not dry_run:
            engine.apply(run.changes)
    return run


def send_notice(path: str | Path, number: str, kind: str | None = None, now: datetime | None = None,
                lang: str | None = None, author: str | None = None, env: Mapping[str, str] | None = None) -> Run:
    """The reporter's notice by e-mail (when 联系方式 holds an address) and to the team chat; the
    通知 Log row names the channels that accepted it, and is written only when one did."""
    engine = FileEngine(path)
    with engine.locked():
        tracker, now, lang, channels = _open(engine, path, now, lang, env, False)
        kind, notice = notice_for(tracker, path, number, kind, now, lang)
        ticket = find_ticket(tracker, number, lang)
        subject = say("notice_subject", lang, number=ticket.number, title=say(f"notice_title_{kind}", lang))
        address = address_in(ticket.text("contact"))
        messages = [Message("mail", (address,), subject, notice)] if channels.smtp and address else []
        messages += [Message("chat", (), subject, notice)] if channels.robot else []
        if not messages:
            raise InputError("notice_nowhere", lang=lang, number=ticket.number)
        plan_log(tracker, number, now, "notification", notice, author=author, lang=lang)  # refuses before sending
        run = Run(lang, text=notice)
        run.outcomes = _send(messages, channels, lang, False, {"ticket": ticket.number, "kind": kind})
        delivered = [o.message for o in run.outcomes if o.error is None]
        if delivered:
            logged = say("notice_log_text", tracker.lang, notice=notice, to=recipients(delivered, tracker.lang))
            run.changes = plan_log(tracker, number, now, "notification", logged, author=author, lang=lang)
            engine.apply(run.changes)
    return run


def _open(engine: FileEngine, path: str | Path, now: datetime | None, lang: str | None,
          env: Mapping[str, str] | None, dry_run: bool) -> tuple[Tracker, datetime, str, Channels]:
    if not dry_run:
        check_openable(path)  # refuse now, not after sending what could not be recorded
    tracker = load_tracker(engine.read())
    lang = lang or tracker.lang
    env = os.environ if env is None else env
    channels = read_channels(tracker.settings, env, secrets_from_keyring(env), lang)
    if channels.smtp is None and channels.robot is None:
        raise InputError("channel_none", lang=lang)
    return tracker, now or local_now(tracker.settings), lang, channels


def _send(messages: list[Message], channels: Channels, lang: str, dry_run: bool,
          extra: dict[str, str] | None = None) -> list[Outcome]:
    outcomes = []
    down: dict[str, str] = {}  # channel -> why it cannot be reached: not waited for again in this run
    for message in messages:
        if dry_run or message.channel in down:
            outcomes.append(Outcome(message, down.get(message.channel)))
            continue
        try:
            deliver(message, channels, lang, extra or _alert_fields(message.alert))
            outcomes.append(Outcome(message))
        except ChannelDown as exc:
            down[message.channel] = exc.render(lang)
            outcomes.append(Outcome(message, exc.render(lang)))
        except DeliveryError as exc:
            outcomes.append(Outcome(message, exc.render(lang)))
    return outcomes


def _alert_fields(alert: Alert | None) -> dict[str, str]:
    """What a generic webhook receives beside the text, so a receiving system can route it."""
    if alert is None:
        return {"kind": "digest"}
    return {"kind": "alert", "ticket": alert.ticket.number, "metric": alert.metric, "level": alert.level,
            "due": f"{alert.due:%Y-%m-%d %H:%M}" if alert.due else "", "priority": alert.ticket.priority or "",
            "assignee": alert.ticket.text("assignee")}
