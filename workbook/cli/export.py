"""`track-xls export`: the tracker and its archives into a database or Parquet files."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from ..core.messages import say
from .options import dry_run_option, format_option, lang_option, month_option, now_option, path_argument, reports_errors


def _check_target(ctx, param, value):
    from ..app.export_targets import target_kind

    if target_kind(value) is None:
        raise click.BadParameter(say("export_target", "en", target=value))
    return value


@click.command()
@path_argument
@click.option("--to", "target", required=True, metavar="TARGET", callback=_check_target,
              help="x.db / sqlite:///x.db, duckdb:///x.duckdb, parquet:///folder, postgresql://user@host/db "
                   "/ 导出目标。")
@month_option("Read only the archives of this month and later; older exported rows stay as they are "
              "/ 只读取此月及以后的归档。", "--since")
@now_option
@dry_run_option
@format_option
@lang_option
@reports_errors
def export(path: Path, target: str, since: str | None, now: datetime | None, dry_run: bool, fmt: str,
           lang: str | None):
    """Export the tracker and every archive into SQLite, DuckDB, Parquet or PostgreSQL: tables
    tickets, log, reviews, faq and sla, typed, each row with its archive month and source file.
    An upsert keyed by ticket number, in one transaction: a second run changes nothing.

    导出工单表及全部归档到 SQLite / DuckDB / Parquet / PostgreSQL，按工单编号增量更新，单一事务。

    Example: track-xls export 工单跟踪.xlsx --to history.db
    """
    from ..app.export import run_export

    def progress(total: int):
        return click.progressbar(length=total, label=say("export_progress", lang or "zh"), file=sys.stderr)

    result = run_export(path, target, since, now, dry_run, progress)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in result.summary(lang):
            click.echo(line)
