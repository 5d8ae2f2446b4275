"""Running ``track-xls`` in-process, as the CLI tests do, and killing one mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from workbook.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args, input=None, env=None):
    """``track-xls ARGS`` (each argument as text); click's result, whatever the exit code."""
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)


def step(*args, now, env=None) -> str:
    """A command that must succeed, run at ``now``; what it printed."""
    result = run(*args, "--now", now, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def kill_when_paused(script: str, *args: object) -> None:
    """Run ``python -c script args`` in a process of its own, wait until it prints "paused" (it stops
    itself at the moment under test), then kill -9 it: a crash no ``finally`` can tidy up after."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                               text=True, env=env)
    try:
        assert process.stdout.readline().strip() == "paused"
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
