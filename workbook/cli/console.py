"""The command line in the user's language and habits, on any console.

- The group's ``main`` makes stdout and stderr unable to crash on a character the console cannot
  show (a cp1252 console gets '?' for Chinese, never a UnicodeEncodeError), and tells usage errors
  (a missing argument, an unknown option, a value not allowed) in the user's language: ``--lang``
  when given, else the system's language, else Chinese. Misuse still exits 2.
- Parameter types that take what a user would type: status and log-kind words in either language
  (等待报修人, in-progress, 进展同步 ...), times in every format a cell accepts, priorities as words
  (高 -> P2). A bad value typed at a prompt is asked for again.
"""

from __future__ import annotations

import os
import re
import sys
from contextvars import ContextVar
from difflib import get_close_matches
from importlib import import_module

import click

from ..core import schema
from ..core.messages import say
from ..core.parse import parse_datetime, parse_priority

USAGE_LANG: ContextVar[str] = ContextVar("usage_lang", default="zh")
_EXTRA = re.compile(r"unexpected extra arguments? \((.*)\)")


def usage_lang(args: list[str]) -> str:
    """``--lang`` among ``args``, else the system's language (LC_ALL, LC_MESSAGES, LANG), else zh."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args) and args[i + 1] in schema.LANGS:
            return args[i + 1]
        if arg.startswith("--lang=") and arg[7:] in schema.LANGS:
            return arg[7:]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "zh" if value.lower().startswith("zh") else "en"
    return "zh"


def safe_console() -> None:
    """Characters the console's encoding lacks become '?' instead of an exception."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and getattr(stream, "errors", "") == "strict":
            stream.reconfigure(errors="replace")


class Main(click.Group):
    """The ``track-xls`` group: safe console, usage errors told in the user's language, and each
    command's module imported when that command runs (``--version`` or ``refresh`` does not load
    what ``report`` needs).

    ``lazy``: command name -> "module:function" in :mod:`workbook.cli`.
    """

    def __init__(self, *args, lazy: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy and name not in self.commands:
            module, function = self.lazy[name].split(":")
            self.add_command(getattr(import_module(f"workbook.cli.{module}"), function), name)
        return super().get_command(ctx, name)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        safe_console()
        args = list(sys.argv[1:] if args is None else args)
        lang = usage_lang(args)
        USAGE_LANG.set(lang)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            _show_usage_error(exc, lang)
            sys.exit(2)
        except (click.Abort, EOFError, KeyboardInterrupt):
            click.echo(say("usage_aborted", lang), err=True)
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)


def _show_usage_error(exc: click.UsageError, lang: str) -> None:
    ctx = exc.ctx
    if type(exc).__name__ == "NoArgsIsHelpError":  # `track-xls` alone (click 8.2+): the help is the answer
        click.echo(ctx.get_help(), err=True)
        return
    if ctx is not None:
        usage = ctx.get_usage()
        click.echo(say("usage_usage", lang) + usage.removeprefix("Usage:"), err=True)
        click.echo(say("usage_help", lang, command=ctx.command_path), err=True)
    click.echo(say("usage_error", lang, detail=usage_message(exc, lang)), err=True)


def usage_message(exc: click.UsageError, lang: str) -> str:
    """Click's error, told in ``lang`` (click's own words only for a case not covered here)."""
    if isinstance(exc, Said):
        return exc.message
    param = getattr(exc, "param", None)
    name = _name(param) if param is not None else ""
    if isinstance(exc, click.MissingParameter):
        return say("usage_missing", lang, name=name or exc.param_hint or "")
    if isinstance(exc, click.NoSuchOption):
        return say("usage_no_option", lang, name=exc.option_name) + _did_you_mean(exc.possibilities, lang)
    if type(exc).__name__ == "NoSuchCommand":
        # among all the commands: click's own suggestions know only those already imported
        names = get_close_matches(exc.command_name, exc.ctx.command.list_commands(exc.ctx)) if exc.ctx else []
        return say("usage_no_command", lang, name=exc.command_name) + _did_you_mean(names, lang)
    if isinstance(exc, click.BadParameter) and isinstance(getattr(param, "type", None), click.Choice):
        return say("usage_choice", lang, name=name, allowed=", ".join(map(str, param.type.choices)))
    if isinstance(exc, click.BadParameter) and param is not None:
        return say("usage_bad_value", lang, name=name)
    extra = _EXTRA.search(exc.message)
    if extra:
        return say("usage_extra", lang, args=extra.group(1))
    return exc.message


def _did_you_mean(names: list[str] | None, lang: str) -> str:
    return say("usage_did_you_mean", lang, names=", ".join(names)) if names else ""


def _name(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return (param.name or "").upper()


class Said(click.BadParameter):
    """A bad value, told already in the user's language."""


# -- what people type ------------------------------------------------------------------------------

class Words(click.ParamType):
    """One of ``codes``: the code itself (``in-progress`` for ``in_progress``) or its zh/en label."""

    name = "word"

    def __init__(self, codes: tuple[str, ...], labels: dict[str, schema.Label]):
        self.codes, self.labels = codes, labels

    def get_metavar(self, param, ctx=None) -> str:
        return "[" + "|".join(f"{c.replace('_', '-')}|{self.labels[c].zh}" for c in self.codes) + "]"

    def convert(self, value, param, ctx):
        folded = schema.fold(str(value)).replace("-", "_").replace(" ", "_")
        for code in self.codes:
            label = self.labels[code]
            if folded == code or label.matches(value) or folded == schema.fold(label.en).replace(" ", "_"):
                return code
        lang = USAGE_LANG.get()
        allowed = " / ".join(f"{c.replace('_', '-')} ({self.labels[c](lang)})" for c in self.codes)
        raise Said(say("usage_word", lang, value=value, allowed=allowed), ctx, param)


class When(click.ParamType):
    """A time in any format a cell accepts: 2024-05-20 14:30, 2024/5/20 9:30, 2024年5月20日 14:30 ..."""

    name = "time"

    def convert(self, value, param, ctx):
        when = parse_datetime(value)
        if when is None:
            raise Said(say("usage_time", USAGE_LANG.get(), value=value), ctx, param)
        return when


class Priority(click.ParamType):
    """P1–P4, or a word for one: 紧急, 高, high, 2 ..."""

    name = "priority"

    def convert(self, value, param, ctx):
        code = parse_priority(value)
        if code is None:
            raise Said(say("priority", USAGE_LANG.get(), value=value), ctx, param)
        return code
