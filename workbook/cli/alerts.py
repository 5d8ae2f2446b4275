"""The ``alert`` command: SLA alerts to assignees, the team chat and supervisors, once each.

Safe to schedule every few minutes beside ``refresh``: what was delivered is remembered in the Log.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..core import schema
from ..core.messages import say
from .options import dry_run_option, format_option, lang_option, now_option, path_argument, reports_errors

if TYPE_CHECKING:
    from ..core.alerts import Alert, Message


@click.command()
@path_argument
@click.option("--digest", is_flag=True,
              help="Send one summary of open, at-risk and overdue tickets instead / 改为发送一份汇总。")
@now_option
@dry_run_option
@format_option
@lang_option
@reports_errors
def alert(path: Path, digest: bool, now: datetime | None, dry_run: bool, fmt: str, lang: str | None):
    """Send each SLA alert still owed: 预警 at risk and 超时 overdue, per ticket and metric, once.
    A message that fails is printed on its own line (exit 1) and tried again on the next run.

    给负责人、群机器人（超时另抄送主管）发送 SLA 预警/超时提醒；每个工单×指标×级别只发一次，记入进展日志。

    Example: track-xls alert 工单跟踪.xlsx --dry-run
    """
    from ..app.send_run import run_alert

    run = run_alert(path, now, dry_run, digest, lang, None)
    lang = run.lang
    if fmt == "json":
        click.echo(json.dumps([_record(o.message, o.error, dry_run) for o in run.outcomes]
                              + [_unreachable(a) for a in run.unreachable], ensure_ascii=False, indent=2))
    else:
        for outcome in run.outcomes:
            what, to = _what(outcome.message, lang), _to(outcome.message, lang)
            if outcome.error:
                click.echo(say("send_failed", lang, what=what, where=to, reason=outcome.error), err=True)
            else:
                click.echo(say("alert_would" if dry_run else "alert_sent", lang, what=what, to=to))
        for a in run.unreachable:
            what = say("alert_what", lang, number=a.ticket.number, metric=schema.METRICS[a.metric](lang),
                       level=schema.SLA_STATES[a.level](lang))
            click.echo(say("alert_unreachable", lang, what=what, assignee=a.ticket.text("assignee") or "—"), err=True)
        if not run.outcomes and not run.unreachable:
            click.echo(say("alert_none", lang))
        elif not dry_run:
            sent = sum(1 for o in run.outcomes if o.error is None)
            click.echo(say("alert_summary", lang, sent=sent, failed=len(run.outcomes) - sent + len(run.unreachable)))
    if run.failed:
        sys.exit(1)


def _what(message: Message, lang: str) -> str:
    a = message.alert
    if a is None:
        return say("digest_what", lang)
    return say("alert_what", lang, number=a.ticket.number, metric=schema.METRICS[a.metric](lang),
               level=schema.SLA_STATES[a.level](lang))


def _to(message: Message, lang: str) -> str:
    return say("via_mail", lang, to=", ".join(message.to)) if message.channel == "mail" else say("via_chat", lang)


def _record(message: Message, error: str | None, dry_run: bool) -> dict:
    a = message.alert
    record = {"ticket": a.ticket.number, "metric": a.metric, "level": a.level,
              "due": f"{a.due:%Y-%m-%d %H:%M}" if a.due else None} if a else {"digest": True}
    return {**record, "channel": message.channel, "to": list(message.to), "subject": message.subject,
            "sent": error is None and not dry_run, "error": error}


def _unreachable(a: Alert) -> dict:
    return {"ticket": a.ticket.number, "metric": a.metric, "level": a.level, "channel": None, "to": [],
            "sent": False, "error": "unreachable"}
