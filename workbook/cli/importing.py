"""`track-xls import`: another tracker's rows appended to ours."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from ..core.messages import say
from .options import dry_run_option, now_option, path_argument, reports_errors


@click.command("import")
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
