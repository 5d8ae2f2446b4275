"""The lifecycle commands: new, assign, log, status, reopen, resolve, confirm, close, notify.

:mod:`workbook.cli` registers them by name on its ``main`` group. Each command parses
its options, runs one planning function of :mod:`workbook.core.lifecycle` through the file engine and
prints what it did; a step out of order prints one line and exits 1 with nothing written.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from typing import TYPE_CHECKING

from ..core import schema
from ..core.messages import say
from .console import Priority, When, Words
from .options import dry_run_option, lang_option, now_option, path_argument, reports_errors

if TYPE_CHECKING:
    from ..core.changeset import ChangeSet
    from ..core.tracker import Tracker


def ticket_argument(f):
    return click.argument("ticket")(f)


def author_option(f):
    return click.option("--author", help="Who did it, for the Log (default: the assignee) / 记录人，默认为负责人。")(f)


def text_argument(f):
    return click.argument("text", nargs=-1, required=True)(f)


def _field_option(key: str, prompt: bool = False, **kw):
    """An option for a ticket column, helped (and prompted) with the column's two headers."""
    label = schema.column("tickets", key).label
    name = "--" + key.replace("_", "-")
    return click.option(name, key, prompt=f"{label.zh} / {label.en}" if prompt else False,
                        help=f"{label.zh} / {label.en}", **kw)


def _step(path: Path, ticket: str, now: datetime | None, dry_run: bool, lang: str | None, plan) -> None:
    """Run ``plan(tracker, now)`` through the file engine and say what happened."""
    from ..app.tracker_file import TrackerFile
    from ..core.lifecycle import run_step

    tracker, changes = run_step(TrackerFile(path), plan, now, dry_run)
    lang = lang or tracker.lang
    click.echo(say("step_ok", lang, number=ticket, status=_status_after(tracker, changes, ticket, lang)))
    _report(path, tracker, changes, dry_run, lang)


def _report(path: Path, tracker: Tracker, changes: ChangeSet, dry_run: bool, lang: str) -> None:
    if dry_run:
        click.echo(say("dry_run", lang))
        for line in changes.describe(tracker.book):
            click.echo(f"  {line}")
    else:
        click.echo(say("written", lang, path=path, cells=len(changes)))


def _status_after(tracker: Tracker, changes: ChangeSet, number: str, lang: str) -> str:
    from ..core.lifecycle import find_ticket

    ticket = find_ticket(tracker, number, lang)
    table = tracker.tickets_table
    status = ticket.status
    written = changes.cells.get(table.name, {}).get((ticket.row, table.columns["status"]))
    status = schema.code_of(schema.STATUSES, written) or status
    return schema.STATUSES[status](lang) if status else ticket.text("status")


@click.command("new")
@path_argument
@_field_option("reporter", prompt=True)
@_field_option("department")
@_field_option("contact")
@_field_option("channel")
@_field_option("module", prompt=True)
@_field_option("category")
@_field_option("description", prompt=True)
@_field_option("impact")
@_field_option("priority", prompt=True, metavar="P1-P4", type=Priority())
@click.option("--reported", "reported_at", type=When(), metavar='"YYYY-MM-DD HH:MM"',
              help="Reported at (default: now) / 报修时间，默认为现在。")
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def new_command(path: Path, author: str | None, now: datetime | None, dry_run: bool, lang: str | None, **fields):
    """Add a ticket (status 新建) and print its number; prompts for the required fields left out.

    新建工单并输出编号；未给出的必填项会提示输入。

    Example: track-xls new 工单跟踪.xlsx --reporter 张伟 --module 销售模块V3.2 --description 无法下单 --priority P1
    """
    from ..app.tracker_file import TrackerFile
    from ..core.lifecycle import plan_new, run_step

    numbers = []

    def plan(tracker, at):
        changes, number = plan_new(tracker, fields, at, author=author, lang=lang)
        numbers.append(number)
        return changes

    tracker, changes = run_step(TrackerFile(path), plan, now, dry_run)
    click.echo(numbers[0])
    if dry_run:
        _report(path, tracker, changes, dry_run, lang or tracker.lang)


@click.command()
@path_argument
@ticket_argument
@click.option("--to", "assignee", required=True, help="The engineer in charge / 处理负责人。")
@click.option("--lead-dept", "lead_department", help="Lead department of a cross-department ticket / 主责部门。")
@click.option("--vendor-contact", help="Vendor contact, notified in the Log / 供应商接口人（记录通知）。")
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def assign(path, ticket, assignee, lead_department, vendor_contact, author, now, dry_run, lang):
    """Assign a ticket: assignee, assigned time, status 已分派; a vendor contact gets a notification line.

    分派工单：负责人、分派时间、状态；跨部门工单须指明主责部门，供应商接口人的通知记入日志。

    Example: track-xls assign 工单跟踪.xlsx 20240520-003 --to 周工
    """
    from ..core.lifecycle import plan_assign

    _step(path, ticket, now, dry_run, lang, lambda tracker, at: plan_assign(
        tracker, ticket, at, assignee, lead_department=lead_department, vendor_contact=vendor_contact,
        author=author, lang=lang))


@click.command("log")
@path_argument
@ticket_argument
@click.option("--kind", type=Words(schema.FREE_KINDS, schema.LOG_KINDS), required=True,
              help="排查 investigation · 进展同步 update · 通知 notification · 验证 verification.")
@text_argument
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def log_command(path, ticket, kind, text, author, now, dry_run, lang):
    """Add a Log row; an update sets 最近进展时间 and so moves the next-update deadline.

    写一条进展日志；进展同步会更新“最近进展时间”，下次进展截止随之顺延。

    Example: track-xls log 工单跟踪.xlsx 20240520-003 --kind update 已定位到数据库锁，正在处理
    """
    from ..core.lifecycle import plan_log

    _step(path, ticket, now, dry_run, lang, lambda tracker, at: plan_log(
        tracker, ticket, at, kind, " ".join(text), author=author, lang=lang))


@click.command()
@path_argument
@ticket_argument
@click.argument("status", type=Words(("waiting", "in_progress"), schema.STATUSES))
@click.option("--reason", default="", help="Why (kept in the Log) / 原因，记入日志。")
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def status(path, ticket, status, reason, author, now, dry_run, lang):
    """Set 等待报修人 (pauses the update and resolution clocks) or 处理中; in-progress on a done ticket reopens it.

    改为等待报修人（暂停进展与解决计时）或处理中；对已解决/已关闭的工单即重新打开。

    Example: track-xls status 工单跟踪.xlsx 20240520-003 waiting --reason 等待用户提供日志
    """
    from ..core.lifecycle import plan_status

    _step(path, ticket, now, dry_run, lang, lambda tracker, at: plan_status(
        tracker, ticket, at, status, reason=reason, author=author, lang=lang))


@click.command()
@path_argument
@ticket_argument
@click.option("--reason", required=True, help="Why it is reopened (kept in the Log) / 重新打开的原因。")
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def reopen(path, ticket, reason, author, now, dry_run, lang):
    """Reopen a resolved or closed ticket: back to 处理中, the solved time counts as paused.

    重新打开已解决/已关闭的工单：状态回到处理中，已解决期间计为暂停，原报修时间仍是起点。

    Example: track-xls reopen 工单跟踪.xlsx 20240520-003 --reason 用户反馈问题复现
    """
    from ..core.lifecycle import plan_reopen

    _step(path, ticket, now, dry_run, lang, lambda tracker, at: plan_reopen(
        tracker, ticket, at, reason, author=author, lang=lang))


@click.command()
@path_argument
@ticket_argument
@click.option("--summary", help="Cause and fix / 处理总结（原因、处理方法）。")
@click.option("--workaround", help="Workaround / 临时措施。")
@click.option("--long-term", "long_term_fix", help="Long-term fix / 长期方案。")
@click.option("--backup-done", is_flag=True, help="The backup was made (required for P1–P2) / 已备份。")
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def resolve(path, ticket, summary, workaround, long_term_fix, backup_done, author, now, dry_run, lang):
    """Resolve a ticket now, with a summary; P1–P2 need the backup done.

    标记为已解决并填写处理总结；P1–P2 须已完成备份（--backup-done）。

    Example: track-xls resolve 工单跟踪.xlsx 20240520-003 --summary "索引损坏，重建后恢复" --backup-done
    """
    from ..core.lifecycle import plan_resolve

    _step(path, ticket, now, dry_run, lang, lambda tracker, at: plan_resolve(
        tracker, ticket, at, summary, workaround=workaround, long_term_fix=long_term_fix, backup_done=backup_done,
        author=author, lang=lang))


@click.command()
@path_argument
@ticket_argument
@click.option("--by", required=True, help="The reporter who confirms / 确认人（报修人）。")
@click.option("--rating", type=click.IntRange(1, 5), help="Satisfaction 1–5 / 满意度 1–5。")
@text_argument
@now_option
@dry_run_option
@lang_option
@reports_errors
def confirm(path, ticket, by, rating, text, now, dry_run, lang):
    """Record the reporter's confirmation of the result (处理结果确认) and a 1–5 rating.

    记录报修人对处理结果的确认及满意度评分。

    Example: track-xls confirm 工单跟踪.xlsx 20240520-003 --by 张伟 --rating 5 已测试，可以正常下单
    """
    from ..core.lifecycle import plan_confirm

    _step(path, ticket, now, dry_run, lang, lambda tracker, at: plan_confirm(
        tracker, ticket, at, by, " ".join(text), rating=rating, lang=lang))


@click.command()
@path_argument
@ticket_argument
@click.option("--summary", help="Cause and fix, if not given at resolve / 处理总结。")
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def close(path, ticket, summary, author, now, dry_run, lang):
    """Close a resolved ticket (status 已关闭, closed time); it needs a summary.

    关闭已解决的工单（状态已关闭、关闭时间）；须有处理总结。

    Example: track-xls close 工单跟踪.xlsx 20240520-003
    """
    from ..core.lifecycle import plan_close

    _step(path, ticket, now, dry_run, lang, lambda tracker, at: plan_close(
        tracker, ticket, at, summary=summary, author=author, lang=lang))


@click.command()
@path_argument
@ticket_argument
@click.option("--kind", type=click.Choice(schema.NOTICE_KINDS),
              help="Which notice (default: from the ticket's state) / 通知类型，默认按工单状态。")
@click.option("--log", "log", is_flag=True, help="Also record it as a 通知 Log row / 同时记入进展日志。")
@click.option("--send", is_flag=True, help="Send it: e-mail to the reporter's address and the team-chat robot; "
                                           "logged once accepted / 发送（邮件、群机器人），送达后记入日志。")
@author_option
@now_option
@dry_run_option
@lang_option
@reports_errors
def notify(path, ticket, kind, log, send, author, now, dry_run, lang):
    """Print the notice for the reporter, from templates/notifications.<lang>.txt; --log records it, --send sends it.

    按模板生成发给报修人的通知（如“问题已受理，处理负责人为X工程师，预计初步反馈时间：N小时内”）；
    --send 通过邮件（联系方式为邮箱时）和群机器人发送，送达后写入一条“通知”日志。

    Example: track-xls notify 工单跟踪.xlsx 20240520-003 --kind accepted --send
    """
    from ..app.tracker_file import TrackerFile
    from ..app.notify_run import run_notify

    if send and not dry_run:
        _send_notice(path, ticket, kind, author, now, lang)
        return
    tracker, notice, changes = run_notify(TrackerFile(path), path, ticket, kind, now, lang, log, dry_run, author)
    click.echo(notice)
    if log:
        lang = lang or tracker.lang
        if not dry_run:
            click.echo(say("notice_logged", lang))
        _report(path, tracker, changes, dry_run, lang)


def _send_notice(path, ticket, kind, author, now, lang) -> None:
    """notify --send: the notice, then one line per channel; exit 1 when one did not take it."""
    from ..app.send_run import send_notice
    from ..core.alerts import recipients

    run = send_notice(path, ticket, kind, now, lang, author)
    click.echo(run.text)
    for outcome in run.outcomes:
        to = recipients([outcome.message], run.lang)
        if outcome.error:
            click.echo(say("send_failed", run.lang, what=ticket, where=to, reason=outcome.error), err=True)
        else:
            click.echo(say("notice_sent", run.lang, to=to))
    if any(o.error for o in run.outcomes):
        sys.exit(1)

