"""``track-xls backups`` and ``track-xls restore``: the previous versions kept beside a tracker."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.messages import say
from .options import lang_option, path_argument, reports_errors


@click.command()
@path_argument
@lang_option
@reports_errors
def backups(path: Path, lang: str | None):
    """List the backups kept of the tracker, newest first (each write keeps the previous version).

    列出跟踪表的备份（每次写入前的版本），最新的在前。

    Example: track-xls backups 工单跟踪.xlsx
    """
    from ..app.backups import list_backups

    lang = lang or "zh"
    found = list_backups(path)
    if not found:
        click.echo(say("backups_none", lang, path=path))
        return
    click.echo(say("backups_header", lang, count=len(found), folder=found[0].path.parent))
    for backup in found:
        click.echo(f"  {backup.number:>2}  {backup.saved_at:%Y-%m-%d %H:%M:%S}  {backup.size:>10,}  {backup.path.name}")
    click.echo(say("backups_hint", lang, path=path))


@click.command()
@path_argument
@click.argument("backup")
@lang_option
@reports_errors
def restore(path: Path, backup: str, lang: str | None):
    """Put a backup back (its number from `track-xls backups`, or its file name); the current
    file becomes a backup itself, so a restore can be undone.

    用备份替换当前跟踪表（备份编号或文件名）；当前文件先另存为备份，可再恢复回来。

    Example: track-xls restore 工单跟踪.xlsx 1
    """
    from ..app.backups import restore as restore_backup

    lang = lang or "zh"
    source, kept = restore_backup(path, backup, lang)
    click.echo(say("restored", lang, path=path, backup=source.name))
    if kept is not None:
        click.echo(say("restored_kept", lang, backup=kept.name))
