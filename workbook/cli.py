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

from .errors import FileProblem, TrackError
from .messages import say

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
@reports_errors
def init(path: Path, lang: str, force: bool):
    """Create a new tracker workbook from the template / 新建工单跟踪表。

    Example: track-xls init 工单跟踪.xlsx
    """
    from .template import build_template

    if path.exists() and not force:
        raise FileProblem(say("exists", lang, path=path))
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise FileProblem(say("suffix", lang, path=path))
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
    from .file_engine import FileEngine
    from .refresh import run_refresh

    engine = FileEngine(path)
    tracker, result = run_refresh(engine, now, dry_run)
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
    from .check import run_check
    from .file_engine import FileEngine

    tracker, findings, notes = run_check(FileEngine(path), now)
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
    from .demo import make_demo

    for line in make_demo(directory, lang, count, now):
        click.echo(line)
