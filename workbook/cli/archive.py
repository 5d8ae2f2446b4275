"""`track-xls archive`: the month-end move of closed tickets, and pruning past retention."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from ..core.messages import say
from .options import dry_run_option, lang_option, month_option, now_option, path_argument, reports_errors


@click.command()
@path_argument
@month_option("Archive tickets closed in this month (default: the current month) / 归档该月关闭的工单。")
@month_option("Archive every month before this one (catch-up) / 归档此月之前的所有月份。", "--all-before")
@click.option("--prune", is_flag=True,
              help="List archives older than the retention in Settings / 列出超过保留期的归档。")
@click.option("--yes", is_flag=True, help="With --prune: remove them / 与 --prune 一起：确认删除。")
@now_option
@dry_run_option
@lang_option
@reports_errors
def archive(path: Path, month: str | None, all_before: str | None, prune: bool, yes: bool,
            now: datetime | None, dry_run: bool, lang: str | None):
    """Move closed tickets into <archive folder>/YYYY-MM/: idempotent, crash-safe, numbers stay reserved.

    把已关闭的工单按关闭月份移入归档文件夹 YYYY-MM；可重复运行，中断后下次运行自动完成或撤销。

    --prune lists archives older than the retention in Settings; --prune --yes removes them.

    Example: track-xls archive 工单跟踪.xlsx --month 2024-05
    """
    from ..app.archive_prune import run_prune
    from ..app.archive_store import run_archive

    if month and all_before:
        raise click.UsageError("--month and --all-before exclude each other")
    if prune:
        if month or all_before:
            raise click.UsageError("--prune takes no --month or --all-before")
        tracker, pruned = run_prune(path, now, yes and not dry_run)
        lines = pruned.summary(lang or tracker.lang, yes and not dry_run)
    else:
        def progress(total: int):
            return click.progressbar(length=total, label=say("archive_progress", lang or "zh"), file=sys.stderr)

        tracker, result = run_archive(path, month, all_before, now, dry_run, progress)
        lines = result.summary(lang or tracker.lang, dry_run)
    for line in lines:
        click.echo(line)
