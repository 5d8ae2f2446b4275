"""`track-xls snapshot`: PDF and PNG pictures of the dashboard and the latest report."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.messages import say
from .options import lang_option, path_argument, reports_errors


@click.command()
@path_argument
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the pictures (default: snapshot/ beside PATH) / 图片输出文件夹。")
@lang_option
@reports_errors
def snapshot(path: Path, out: Path | None, lang: str | None):
    """Render the dashboard and the latest monthly report to PDF and PNG with LibreOffice headless
    (no Excel needed), for a wall screen, a mail or a slide. Refresh first so the figures are current.

    用 LibreOffice 把看板和最近一期月度报告导出为 PDF 和 PNG 图片（无需 Excel）。

    Example: track-xls snapshot 工单跟踪.xlsx --out 图片
    """
    from ..app.snapshot import _language, snapshot as render

    written, notes = render(path, out or path.parent / "snapshot")
    lang = lang or _language(path)
    for note in notes:
        click.echo(note)
    for file in written:
        click.echo(say("snapshot_written", lang, path=file))
