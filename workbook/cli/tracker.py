"""The commands on a tracker as a whole: init, refresh, check, demo."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from ..core.errors import FileProblem
from ..core.messages import say
from .options import dry_run_option, format_option, lang_option, now_option, path_argument, reports_errors


@click.command()
@path_argument
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", help="Workbook language / 表格语言。")
@click.option("--force", is_flag=True, help="Overwrite an existing file / 覆盖已有文件。")
@click.option("--macro", is_flag=True,
              help="Make an .xlsm with Refresh / Check / Archive buttons (xlwings) / 生成带按钮的宏工作簿。")
@reports_errors
def init(path: Path, lang: str, force: bool, macro: bool):
    """Create a new tracker workbook from the template / 新建工单跟踪表。

    Example: track-xls init 工单跟踪.xlsx   or   track-xls init 工单跟踪.xlsm --macro
    """
    from ..app.init_file import make_tracker

    if path.exists() and not force:
        raise FileProblem("exists", lang=lang, path=path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise FileProblem("suffix", lang=lang, path=path)
    backup = make_tracker(path, lang, macro)
    click.echo(str(path))
    if backup:
        click.echo(say("init_backup", lang, backup=backup))


@click.command()
@path_argument
@now_option
@dry_run_option
@lang_option
@reports_errors
def refresh(path: Path, now: datetime | None, dry_run: bool, lang: str | None):
    """Number new tickets, compute SLA deadlines and states, log status changes, update the dashboard.
    A row with a problem is marked 待补全 and listed; the other rows are computed all the same.
    Exit 0 when written, 1 when nothing could be (a missing sheet or column).

    编号新工单、计算 SLA 截止时间与状态、记录状态变更、更新看板。有问题的行标为“待补全”并列出，
    其余各行照常计算。写入成功退出码为 0；无法写入（缺少工作表或列）为 1。

    Example: track-xls refresh 工单跟踪.xlsx --now "2024-05-20 14:30"
    """
    from ..app.settled_file import SettledFile
    from ..app.tracker_file import TrackerFile
    from ..core.refresh import run_refresh

    tracker, result = run_refresh(TrackerFile(path), now, dry_run, lang, SettledFile(path))
    lang = lang or tracker.lang
    if dry_run:
        click.echo(say("dry_run", lang))
        for fix in result.fixes:
            click.echo(f"  {say('fixed_one', lang)} {fix.line()}")
        for line in result.changes.describe(tracker.book):
            click.echo(f"  {line}")
    for line in result.summary(lang):
        click.echo(line)
    if not dry_run:
        click.echo(say("written", lang, path=path, cells=len(result.changes)) if result.changes
                   else say("no_changes", lang))


@click.command()
@path_argument
@now_option
@format_option
@lang_option
@reports_errors
def check(path: Path, now: datetime | None, fmt: str, lang: str | None):
    """Validate every row; one message per problem with sheet, cell and reason. Exit 1 if any.

    检查每一行，逐条列出问题（工作表、单元格、原因）；有问题时退出码为 1。
    """
    from ..core.check import run_check
    from ..app.tracker_file import TrackerFile

    tracker, findings, notes = run_check(TrackerFile(path), now, lang)
    lang = lang or tracker.lang
    if fmt == "json":
        click.echo(json.dumps({"findings": [f.as_dict() for f in findings], "notes": notes},
                              ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            click.echo(finding.line())
        for note in notes:
            click.echo(note)
        click.echo(say("check_found", lang, errors=len(findings), warnings=len(notes)) if findings
                   else say("check_ok", lang, count=len(tracker.tickets)))
    sys.exit(1 if findings else 0)


@click.command()
@click.argument("directory", type=click.Path(path_type=Path), default="track-xls-demo")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", help="Workbook language / 表格语言。")
@click.option("--tickets", "count", type=click.IntRange(10, 100_000), default=300, help="How many tickets.")
@now_option
@reports_errors
def demo(directory: Path, lang: str, count: int, now: datetime | None):
    """Make a realistic demo tracker, refresh it, and print what was made.

    生成一个演示用工单跟踪表（数百个工单），刷新并说明生成了什么。
    """
    from ..app.demo import make_demo

    for line in make_demo(directory, lang, count, now):
        click.echo(line)
