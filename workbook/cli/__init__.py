"""The ``track-xls`` command line: each command parses options, calls one library function and prints.

Errors from the library (bad cells, locked or unreadable files) print one line each and exit 1;
misuse of the command exits 2 (click's usage error). No traceback reaches the user. The commands
live in one module per family and are registered here; none of them imports this module.
"""

from __future__ import annotations

import click

from .. import __version__
from . import archive, importing, lifecycle, macro, report, tracker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="track-xls")  # not importlib.metadata: 0.1 s at start-up
def main():
    """track-xls: a support-ticket tracker that lives in an ordinary Excel workbook.

    工单跟踪表：编号、SLA 截止时间（工作时间与节假日）、超时高亮、看板、月度归档。
    """


for command in (tracker.init, tracker.refresh, tracker.check, tracker.demo, importing.import_, macro.macro,
                *lifecycle.COMMANDS, archive.archive, report.report, report.review):
    main.add_command(command)
