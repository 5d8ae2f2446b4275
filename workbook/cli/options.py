"""Options every command shares, written once, and the one way a library error reaches the user."""

from __future__ import annotations

import errno
import sys
from functools import wraps
from pathlib import Path

import click

from ..core.errors import InputError, OpenInApp, TrackError
from ..core.messages import CATALOG, say
from .console import USAGE_LANG, Said, When

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
    """Turn a TrackError into one line on stderr and exit 1: in --lang, else the workbook's, else the user's."""

    @wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except TrackError as exc:
            lang = kwargs.get("lang") or exc.lang or _lang_of(kwargs.get("path"))
            text = exc.render(lang)
            if isinstance(exc, InputError) and exc.where is None and kwargs.get("path"):
                text = f"{kwargs['path']}: {text}"  # a whole sheet missing: which workbook lacks it
            click.echo(say("error", lang, text=text), err=True)
            if isinstance(exc, OpenInApp) and exc.app == "excel":
                click.echo(say("use_button", lang), err=True)  # the open workbook has its own way in
            sys.exit(1)
        except OSError as exc:  # a full disk, a folder one may not write, a failing drive...
            lang = kwargs.get("lang") or _lang_of(kwargs.get("path"))
            click.echo(say("error", lang, text=os_error(exc, lang, kwargs.get("path"))), err=True)
            sys.exit(1)

    return wrapper


def _lang_of(path: Path | None) -> str:
    """The language of the workbook at ``path``, for an error met before it was read; the user's (as
    for a usage error) when there is no tracker to tell: a folder, a CSV, a missing file."""
    from ..core.schema import lang_of_sheets
    from ..xlsx.safety import sheet_names

    return lang_of_sheets(sheet_names(path) if path is not None else [], default=USAGE_LANG.get())


def os_error(exc: OSError, lang: str, path: object = None) -> str:
    """One line for an operating-system error: the file (else the command's) and the cause."""
    name = errno.errorcode.get(exc.errno or 0, "")
    reason = say(f"oserror_{name}", lang) if f"oserror_{name}" in CATALOG else (exc.strerror or str(exc))
    return say("os_error", lang, path=exc.filename or path or "", reason=reason)


def month_option(help: str, name: str = "--month"):
    return click.option(name, metavar="YYYY-MM", callback=_parse_month, help=help)


def _parse_month(ctx, param, value):
    from ..core.archive import parse_month

    try:
        return parse_month(value) if value else None
    except ValueError:
        raise Said(say("usage_month", USAGE_LANG.get(), value=value), ctx, param) from None
