"""Options every command shares, written once, and the one way a library error reaches the user."""

from __future__ import annotations

import sys
from functools import wraps
from pathlib import Path

import click

from ..core.errors import LockedError, TrackError
from ..core.messages import say
from .console import When

ERROR_PREFIX = {"zh": "错误：", "en": "Error: "}


# -- shared options, written once --------------------------------------------------------------------

def now_option(f):
    return click.option("--now", "now", metavar='"YYYY-MM-DD HH:MM"', type=When(),
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


def month_option(help: str, name: str = "--month"):
    return click.option(name, metavar="YYYY-MM", callback=_parse_month, help=help)


def _parse_month(ctx, param, value):
    from ..core.archive import parse_month

    try:
        return parse_month(value) if value else None
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
