"""Running ``track-xls`` in-process, as the CLI tests do."""

from __future__ import annotations

from click.testing import CliRunner

from workbook.cli import main


def run(*args, input=None, env=None):
    """``track-xls ARGS`` (each argument as text); click's result, whatever the exit code."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)


def step(*args, now, env=None) -> str:
    """A command that must succeed, run at ``now``; what it printed."""
    result = run(*args, "--now", now, env=env)
    assert result.exit_code == 0, result.output
    return result.output
