"""`track-xls snapshot`: the dashboard and the latest report as PDF and PNG, through LibreOffice."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from datetime import datetime

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.support.libreoffice import needs_libreoffice
from workbook.app.demo import make_demo
from workbook.app.snapshot import latest_report
from workbook.cli import main
from workbook.core import dashboard, schema

NOW = datetime(2026, 11, 20, 10, 0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("snapshot") / "demo"
    make_demo(folder, "zh", 150, NOW)  # 150: overdue and about-to-breach tickets at NOW
    return folder


def png_size(path) -> tuple[int, int]:
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_without_libreoffice_it_says_what_to_install(demo, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = CliRunner(env={"PATH": str(empty)}).invoke(main, ["snapshot", str(demo / "工单跟踪.xlsx")])
    assert result.exit_code == 1
    assert "LibreOffice" in result.output and "soffice" in result.output
    assert "Traceback" not in result.output
    assert not (demo / "snapshot").exists()


def test_the_latest_report_is_the_latest_month(tmp_path):
    for name in ("月度报告_2026-09.xlsx", "monthly-report_2026-10.xlsx", "月度报告_2026-08.xlsx", "notes.xlsx"):
        (tmp_path / name).write_bytes(b"")
    assert latest_report(tmp_path).name == "monthly-report_2026-10.xlsx"
    assert latest_report(tmp_path / "nowhere") is None


@needs_libreoffice
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
@pytest.mark.libreoffice
def test_dashboard_and_report_become_pdf_and_png(demo, tmp_path):
    out = tmp_path / "pictures"
    result = CliRunner().invoke(main, ["snapshot", str(demo / "工单跟踪.xlsx"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    board = out / "工单跟踪_工单看板.pdf"
    info = subprocess.run(["pdfinfo", str(board)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M)  # the dashboard alone, on one page
    width, height = png_size(out / "工单跟踪_工单看板.png")
    assert width > height > 600  # landscape, large enough to read on a screen
    text = subprocess.run(["pdftotext", "-layout", str(board), "-"], capture_output=True, text=True,
                          check=True).stdout
    flat = "".join(text.split())
    # what refresh wrote into the overdue list is what the picture shows
    book = CalamineWorkbook.from_path(str(demo / "工单跟踪.xlsx"))
    rows = book.get_sheet_by_name(schema.SHEETS["dashboard"].zh).to_python(skip_empty_area=False)
    for key in ("overdue", "breach_soon"):
        block = dashboard.LAYOUT[key]
        listed = [rows[r][block.col:block.col + 3] for r in range(block.first_row, block.last_row + 1)
                  if rows[r][block.col]]
        assert listed and all("".join(row) in flat for row in listed), key  # number, metric, time
    assert "工单看板" in flat and "本月与上月" in flat
    report_pages = sorted(out.glob("月度报告_2026-10-*.png"))
    assert (out / "月度报告_2026-10.pdf").exists() and len(report_pages) >= 5
    assert all(str(p) in result.output for p in [board, *report_pages])
