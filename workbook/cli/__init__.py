"""The ``track-xls`` command line: each command parses options, calls one library function and prints.

Errors from the library (bad cells, locked or unreadable files) print one line each and exit 1;
misuse of the command exits 2 (click's usage error, told in the user's language by
:mod:`workbook.cli.console`). No traceback reaches the user. The commands
live in one module per family and are registered here by name; none of them imports this module.
"""

from __future__ import annotations

import click

from .. import __version__
from .console import Main

# name -> "module:function" of this package; a command's module is imported when it runs.
COMMANDS = {
    "init": "tracker:init", "refresh": "tracker:refresh", "check": "tracker:check", "demo": "tracker:demo",
    "import": "importing:import_", "macro": "macro:macro",
    "new": "lifecycle:new_command", "assign": "lifecycle:assign", "log": "lifecycle:log_command",
    "status": "lifecycle:status", "reopen": "lifecycle:reopen", "resolve": "lifecycle:resolve",
    "confirm": "lifecycle:confirm", "close": "lifecycle:close", "notify": "lifecycle:notify",
    "alert": "alerts:alert", "archive": "archive:archive", "report": "report:report", "review": "report:review",
    "export": "export:export", "snapshot": "snapshot:snapshot", "backups": "backups:backups",
    "restore": "backups:restore",
}


@click.group(cls=Main, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="track-xls")  # not importlib.metadata: 0.1 s at start-up
def main():
    """track-xls: a support-ticket tracker that lives in an ordinary Excel workbook.

    工单跟踪表：编号、SLA 截止时间（工作时间与节假日）、超时高亮、看板、月度归档。
    """
