"""`track-xls report` and `track-xls review`: the monthly report and the reviews that are due."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from ..core.messages import say
from .options import dry_run_option, format_option, lang_option, month_option, now_option, path_argument, reports_errors


@click.command()
@path_argument
@month_option("Month to report (default: the current month) / 报告月份（默认本月）。")
@click.option("--out", type=click.Path(path_type=Path),
              help="Report workbook to write (default: 月度报告_YYYY-MM.xlsx beside PATH) / 报告文件。")
@now_option
@format_option
@lang_option
@reports_errors
def report(path: Path, month: str | None, out: Path | None, now: datetime | None, fmt: str, lang: str | None):
    """Monthly report over the tracker and every archive: SLA compliance, MTTA/MTTR, volumes,
    reopens, satisfaction, backlog age, recurring problems, reviews due and a 12-month trend,
    each table with a native chart. --format json prints the figures instead (and writes the
    workbook only with --out).

    月度报告：读取工单表及全部归档，生成带图表的报告工作簿；--format json 输出数据供脚本使用。

    Example: track-xls report 工单跟踪.xlsx --month 2024-05
    """
    from ..app.report_run import make_report
    from ..author.report_book import default_path, write_report

    if out is not None and out.resolve() == path.resolve():
        raise click.UsageError("--out names the tracker itself; the report goes to a file of its own")
    result = make_report(path, month, now)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        if out is None:
            return
    target = out or default_path(path, result.month, result.lang)
    write_report(result, target)
    if fmt == "text":
        click.echo(say("report_written", lang or result.lang, month=result.month, path=target))


@click.command()
@path_argument
@now_option
@dry_run_option
@format_option
@lang_option
@reports_errors
def review(path: Path, now: datetime | None, dry_run: bool, fmt: str, lang: str | None):
    """Record what needs a review: P1–P2 tickets done without one, and recurring problems (same
    module and category N times within D days, both in Settings), as pending rows in Reviews;
    mark 需复盘; add or update FAQ entries from reviews marked FAQ updated.

    复盘：把需要复盘的工单（P1–P2 及重复问题）登记为待复盘，标记「需复盘」，并把已更新FAQ的复盘写入常见问题手册。

    Example: track-xls review 工单跟踪.xlsx
    """
    from ..app.tracker_file import TrackerFile
    from ..app.review_run import run_review

    tracker, plan = run_review(TrackerFile(path), path, now, dry_run)
    lang = lang or tracker.lang
    if fmt == "json":
        click.echo(json.dumps(plan.as_dict() | {"written": bool(plan.changes) and not dry_run},
                              ensure_ascii=False, indent=2))
        return
    if plan.needs:
        click.echo(say("review_would" if dry_run else "review_found", lang, count=len(plan.needs), due=plan.due))
        for need in plan.needs:
            click.echo(say("review_line", lang, tickets=", ".join(need.numbers), reason=need.reason,
                           owner=need.owner or "—"))
    else:
        click.echo(say("review_none", lang))
    click.echo(say("review_flagged", lang, count=len(plan.flagged)))
    if plan.faq_added or plan.faq_updated:
        click.echo(say("faq_changes", lang, added=len(plan.faq_added), updated=len(plan.faq_updated)))
    for symptom in plan.faq_skipped:
        click.echo(say("faq_skipped", lang, symptom=symptom))
    if dry_run:
        click.echo(say("dry_run", lang))
        for line in plan.changes.describe(tracker.book):
            click.echo(f"  {line}")
    else:
        click.echo(say("written", lang, path=path, cells=len(plan.changes)) if plan.changes
                   else say("no_changes", lang))
