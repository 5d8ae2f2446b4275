"""The ``track-xls`` command line: each command parses options, calls one library function and prints.

Errors from the library (bad cells, locked or unreadable files) print one line each and exit 1;
misuse of the command exits 2 (click's usage error). No traceback reaches the user.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from functools import wraps
from pathlib import Path

import click

from ..core.errors import FileProblem, LockedError, TrackError
from ..core.messages import say

ERROR_PREFIX = {"zh": "错误：", "en": "Error: "}


# -- shared options, written once --------------------------------------------------------------------

def now_option(f):
    return click.option("--now", "now", metavar='"YYYY-MM-DD HH:MM"', callback=_parse_now,
                        help="Pretend it is this time (local time of the workbook) / 以此时间为“现在”.")(f)


def lang_option(f):
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                        help="Language of messages (default: the workbook's) / 提示语言。")(f)


def dry_run_option(f):
    return click.option("--dry-run", is_flag=True, help="Print what would change, write nothing / 只预演，不写入。")(f)


def format_option(f):
    return click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
                        help="Output format / 输出格式。")(f)


def path_argument(f):
    return click.argument("path", type=click.Path(path_type=Path))(f)


def _parse_now(ctx, param, value):
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise click.BadParameter(f'{value!r}: expected "YYYY-MM-DD HH:MM"') from None


def reports_errors(f):
    """Turn a TrackError into one line on stderr and exit 1."""

    @wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except TrackError as exc:
            lang = kwargs.get("lang") or "zh"
            click.echo(f"{ERROR_PREFIX[lang]}{exc}", err=True)
            if isinstance(exc, LockedError) and "open in Excel" in str(exc):
                click.echo(say("use_button", lang), err=True)  # the open workbook has its own way in
            sys.exit(1)

    return wrapper


# -- commands ------------------------------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="track-xls")
def main():
    """track-xls: a support-ticket tracker that lives in an ordinary Excel workbook.

    工单跟踪表：编号、SLA 截止时间（工作时间与节假日）、超时高亮、看板、月度归档。
    """


@main.command()
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
    from ..live.macro import build_macro_workbook
    from ..author.template import build_template

    if path.exists() and not force:
        raise FileProblem(say("exists", lang, path=path))
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise FileProblem(say("suffix", lang, path=path))
    # An .xlsm must hold a VBA project: Excel refuses one whose package says it has none.
    if macro or path.suffix.lower() == ".xlsm":
        build_macro_workbook(path, lang)
    else:
        build_template(path, lang)
    click.echo(str(path))


@main.command()
@path_argument
@now_option
@dry_run_option
@lang_option
@reports_errors
def refresh(path: Path, now: datetime | None, dry_run: bool, lang: str | None):
    """Number new tickets, compute SLA deadlines and states, log status changes, update the dashboard.

    编号新工单、计算 SLA 截止时间与状态、记录状态变更、更新看板。

    Example: track-xls refresh 工单跟踪.xlsx --now "2024-05-20 14:30"
    """
    from ..xlsx.file_engine import FileEngine
    from ..core.refresh import run_refresh

    engine = FileEngine(path)
    tracker, result = run_refresh(engine, now, dry_run, lang)
    lang = lang or tracker.lang
    if dry_run:
        click.echo(say("dry_run", lang))
        for line in result.changes.describe(tracker.book):
            click.echo(f"  {line}")
    for line in result.summary(lang):
        click.echo(line)
    if result.blocked:
        sys.exit(1)
    if not dry_run:
        click.echo(say("written", lang, path=path, cells=len(result.changes)) if result.changes
                   else say("no_changes", lang))


@main.command()
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
    from ..xlsx.file_engine import FileEngine

    tracker, findings, notes = run_check(FileEngine(path), now, lang)
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


@main.command()
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


@main.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@path_argument
@click.option("--map", "map_file", type=click.Path(path_type=Path),
              help="UTF-8 file of 'source header = ticket column' lines / 列对应文件。")
@click.option("--sheet", help="Source sheet to read (default: the one that looks most like a tracker) / 源工作表。")
@click.option("--skip-rejected", is_flag=True,
              help="Write the rows that can be taken even when others are rejected / 跳过无法导入的行，导入其余行。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of a new tracker (default: the source's headers) / 新建跟踪表的语言。")
@now_option
@dry_run_option
@reports_errors
def import_(source: Path, path: Path, map_file: Path | None, sheet: str | None, skip_rejected: bool,
            lang: str | None, now: datetime | None, dry_run: bool):
    """Append the tickets of an existing tracker (.xlsx, .xlsm, .xls, .ods, .csv) to PATH.

    导入已有的工单表：按表头（中英文及常见别名，或 --map 指定）对应各列，保留原编号，逐行说明无法导入的原因。
    Any rejected row means nothing is written (exit 1) unless --skip-rejected; then run refresh.
    PATH is made from the template when it does not exist.

    Example: track-xls import 旧工单表.xls 工单跟踪.xlsx --map 列对应.txt
    """
    from ..app.import_run import run_import

    result = run_import(source, path, map_file, sheet, lang, now, dry_run, skip_rejected)
    if dry_run:
        click.echo(say("dry_run", result.lang))
    for line in result.lines(skip_rejected):
        click.echo(line)
    sys.exit(1 if result.converted.rejected and not skip_rejected else 0)


@main.group()
def macro():
    """The macro workbook: Refresh / Check / Archive buttons that run track-xls through xlwings.

    宏工作簿：「看板」表上的 刷新 / 检查 / 归档 按钮（通过 xlwings 运行）。
    """


@macro.command("install")
@path_argument
@click.option("--output", type=click.Path(path_type=Path), help="The .xlsm to write (default: PATH as .xlsm).")
@click.option("--force", is_flag=True, help="Overwrite an existing file / 覆盖已有文件。")
@lang_option
@reports_errors
def macro_install(path: Path, output: Path | None, force: bool, lang: str | None):
    """Write a copy of the tracker PATH as an .xlsm with the buttons; PATH itself is not changed.

    复制为带按钮的 .xlsm 宏工作簿（原文件不变）。

    Example: track-xls macro install 工单跟踪.xlsx
    """
    from ..live.macro import install
    from ..xlsx.safety import check_package

    lang = lang or "zh"
    target = output or path.with_suffix(".xlsm")
    check_package(path)
    if target.exists() and not force:
        raise FileProblem(say("exists", lang, path=target))
    install(path, target, lang)
    click.echo(say("macro_made", lang, path=target))


# The lifecycle commands (new, assign, log, status, reopen, resolve, confirm, close, notify) live in
# their own module; importing it registers them on `main`.
from . import lifecycle  # noqa: E402,F401


def _month_option(ctx, param, value):
    from ..core.archive import parse_month

    try:
        return parse_month(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@path_argument
@click.option("--month", metavar="YYYY-MM", callback=_month_option,
              help="Archive tickets closed in this month (default: the current month) / 归档该月关闭的工单。")
@click.option("--all-before", metavar="YYYY-MM", callback=_month_option,
              help="Archive every month before this one (catch-up) / 归档此月之前的所有月份。")
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


@main.command()
@path_argument
@click.option("--month", metavar="YYYY-MM", callback=_month_option,
              help="Month to report (default: the current month) / 报告月份（默认本月）。")
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
    from ..core.report import make_report
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


@main.command()
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
    from ..xlsx.file_engine import FileEngine
    from ..core.reviews import run_review

    tracker, plan = run_review(FileEngine(path), path, now, dry_run)
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


if __name__ == "__main__":
    main()
