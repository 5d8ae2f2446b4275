"""`track-xls macro install`: the macro workbook with Refresh / Check / Archive buttons."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import FileProblem
from ..core.messages import say
from .options import lang_option, path_argument, reports_errors


@click.group()
def macro():
    """The macro workbook: Refresh / Check / Archive buttons that run track-xls through xlwings.

    宏工作簿：「看板」表上的 刷新 / 检查 / 归档 按钮（通过 xlwings 运行）。
    """


@macro.command("install")
@path_argument
@click.option("--output", type=click.Path(path_type=Path), help="The .xlsm to write (default: PATH as .xlsm).")
@click.option("--force", is_flag=True, help="Overwrite an existing file / 覆盖已有文件。")
@lang_option
@reports_errors
def macro_install(path: Path, output: Path | None, force: bool, lang: str | None):
    """Write a copy of the tracker PATH as an .xlsm with the buttons; PATH itself is not changed.

    复制为带按钮的 .xlsm 宏工作簿（原文件不变）。

    Example: track-xls macro install 工单跟踪.xlsx
    """
    from ..live.macro import install
    from ..xlsx.safety import check_package

    lang = lang or "zh"
    target = output or path.with_suffix(".xlsm")
    check_package(path)
    if target.exists() and not force:
        raise FileProblem("exists", lang=lang, path=target)
    install(path, target, lang)
    click.echo(say("macro_made", lang, path=target))
