"""The macro workbook: xlwings' own VBA project and the 刷新 / 检查 / 归档 buttons, and that refresh
and archive on the file leave both exactly as they were."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from html import unescape
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner
from tests.support.libreoffice import convert, needs_libreoffice

from tests.support.books import type_rows
from workbook.core import schema
from workbook.core.book import find_table
from workbook.cli import main
from workbook.xlsx.file_engine import FileEngine
from workbook.live.macro import BUTTONS, build_macro_workbook, macro_call, vba_project
from workbook.core.messages import say
from workbook.xlsx.package import Package
from workbook.xlsx.reader import read_book
from workbook.core.refresh import run_refresh
from workbook.core.tracker import load_tracker

NOW = "2024-05-21 10:00"
CLOSED = {"reported_at": datetime(2024, 4, 2, 9, 0), "reporter": "孙丽", "module": "VPN", "description": "断线",
          "priority": "P4", "status": "已关闭", "resolved_at": datetime(2024, 4, 3, 9, 0),
          "closed_at": datetime(2024, 4, 3, 10, 0), "summary": "重置账号"}
OPEN = {"reported_at": datetime(2024, 5, 20, 14, 30), "reporter": "张伟", "module": "销售模块V3.2",
        "description": "=1+1 无法下单", "priority": "P1", "status": "新建"}


def buttons_vml(path: Path) -> tuple[str, bytes]:
    """(part name, bytes) of the VML drawing on the Dashboard sheet."""
    with Package.open(path) as pkg:
        dashboard = next(part for name, part in pkg.sheet_parts().items() if schema.SHEETS["dashboard"].matches(name))
        (vml,) = pkg.related(dashboard, "/vmlDrawing")
        return vml, pkg.read(vml)


def macros(vml: bytes) -> list[str]:
    return [unescape(m) for m in re.findall(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", vml.decode())]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_init_macro_makes_an_xlsm_with_xlwings_vba_project_and_buttons(tmp_path, lang):
    path = tmp_path / "工单跟踪.xlsm"
    result = CliRunner().invoke(main, ["init", str(path), "--macro", "--lang", lang])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as z:
        assert z.read("xl/vbaProject.bin") == vba_project()  # xlwings' own, byte for byte
        types = z.read("[Content_Types].xml").decode()
        assert "sheet.macroEnabled.main+xml" in types and 'PartName="/xl/vbaProject.bin"' in types
        assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()
        vmls = {name: z.read(name).decode() for name in z.namelist() if name.endswith(".vml")}
    _, vml = buttons_vml(path)
    assert macros(vml) == [macro_call(action) for action in BUTTONS]
    assert macro_call("refresh") == "'RunPython \"import workbook.button; workbook.button.refresh()\"'"
    assert [c.decode() for c in re.findall(rb">([^<>]+)</font>", vml)] == [c(lang) for c in BUTTONS.values()]
    shape_ids = [i for text in vmls.values() for i in re.findall(r'id="(_x0000_s\d+)"', text)]
    assert len(shape_ids) == len(set(shape_ids)) > 3  # the comments' shapes and the buttons
    assert load_tracker(read_book(path)).lang == lang


def test_an_xlsm_name_alone_makes_the_macro_workbook_and_xlsx_refuses_macro(tmp_path):
    assert CliRunner().invoke(main, ["init", str(tmp_path / "a.xlsm")]).exit_code == 0
    assert "xl/vbaProject.bin" in zipfile.ZipFile(tmp_path / "a.xlsm").namelist()
    result = CliRunner().invoke(main, ["init", str(tmp_path / "b.xlsx"), "--macro"])
    assert result.exit_code == 1 and ".xlsm" in result.output
    assert not (tmp_path / "b.xlsx").exists()


def test_refresh_and_archive_keep_the_vba_project_and_buttons(tmp_path):
    path = tmp_path / "工单跟踪.xlsm"
    build_macro_workbook(path)
    type_rows(path, [CLOSED, OPEN])
    vml_part, _ = buttons_vml(path)
    with Package.open(path) as pkg:
        kept = {part: b"".join(pkg.raw(pkg.member(part))) for part in ("xl/vbaProject.bin", vml_part)}
    run_refresh(FileEngine(path, backups=0), datetime(2024, 5, 21, 10, 0))
    result = CliRunner().invoke(main, ["archive", str(path), "--month", "2024-04", "--now", NOW])
    assert result.exit_code == 0, result.output
    book = read_book(path)
    numbers = [r["ticket_no"] for _, r in find_table(book, "tickets").records()]
    assert numbers == ["20240520-001"]  # the April ticket moved out
    with Package.open(path) as after:
        assert {part: b"".join(after.raw(after.member(part))) for part in kept} == kept
        assert "sheet.macroEnabled.main+xml" in after.read("[Content_Types].xml").decode()
    assert macros(buttons_vml(path)[1]) == [macro_call(action) for action in BUTTONS]


def test_macro_install_copies_a_tracker_and_adds_to_a_dashboard_drawing(tmp_path):
    source = tmp_path / "own.xlsx"
    wb = xlsxwriter.Workbook(source)
    tickets = wb.add_worksheet("工单")
    tickets.write_row(0, 0, [c.label.zh for c in schema.TICKET_COLUMNS])
    wb.add_worksheet("看板").write_comment("A1", "the team's own note")
    wb.close()
    original = source.read_bytes()
    result = CliRunner().invoke(main, ["macro", "install", str(source)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "own.xlsm"
    assert say("macro_made", "zh", path=target) in result.output
    assert source.read_bytes() == original
    _, vml = buttons_vml(target)
    assert vml.count(b'ObjectType="Note"') == 1 and vml.count(b'ObjectType="Button"') == 3
    ids = re.findall(rb'id="_x0000_s(\d+)"', vml)
    assert len(ids) == len(set(ids)) == 4
    again = CliRunner().invoke(main, ["macro", "install", str(target), "--output", str(tmp_path / "x.xlsm")])
    assert again.exit_code == 1 and "track_xls_buttons.bas" in again.output


def test_file_commands_point_to_the_button_while_excel_has_the_workbook(tmp_path):
    path = tmp_path / "工单跟踪.xlsm"
    build_macro_workbook(path)
    (tmp_path / "~$工单跟踪.xlsm").write_bytes(b"")
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["refresh", str(path), "--now", NOW])
    assert result.exit_code == 1
    assert "正在 Excel 中打开" in result.output and say("use_button", "zh") in result.output
    assert path.read_bytes() == before


@pytest.mark.libreoffice
@needs_libreoffice
def test_libreoffice_opens_the_macro_workbook_with_its_buttons(tmp_path):
    path = tmp_path / "tracker.xlsm"
    build_macro_workbook(path)
    out = convert(path, "xlsm", tmp_path / "lo")
    with zipfile.ZipFile(out) as z:
        assert "xl/vbaProject.bin" in z.namelist()
        vml = b"".join(z.read(n) for n in z.namelist() if n.endswith(".vml"))
    assert vml.count(b'ObjectType="Button"') == 3
    assert all(c("zh").encode() in vml for c in BUTTONS.values())
    assert load_tracker(read_book(out)).lang == "zh"
