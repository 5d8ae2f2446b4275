"""The ``track-xls`` command line: each command parses options, calls one library function and prints.

Errors from the library (bad cells, locked or unreadable files) print one line each and exit 1;
misuse of the command exits 2 (click's usage error, told in the user's language by
:mod:`workbook.cli.console`). No traceback reaches the user. The commands
live in one module per family and are registered here; none of them imports this module.
"""

from __future__ import annotations

import click

from .. import __version__
from . import alerts, archive, backups, export, importing, lifecycle, macro, report, snapshot, tracker
from .console import Main


@click.group(cls=Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="track-xls")  # not importlib.metadata: 0.1 s at start-up
def main():
    """track-xls: a support-ticket tracker that lives in an ordinary Excel workbook.

    工单跟踪表：编号、SLA 截止时间（工作时间与节假日）、超时高亮、看板、月度归档。
    """


for command in (tracker.init, tracker.refresh, tracker.check, tracker.demo, importing.import_, macro.macro,
                *lifecycle.COMMANDS, alerts.alert, archive.archive, report.report, report.review, export.export,
                snapshot.snapshot, backups.backups, backups.restore):
    main.add_command(command)
