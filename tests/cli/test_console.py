"""The command line in the user's language and habits: Chinese words for statuses and log kinds,
times as a cell takes them, prompts that ask again, ``python -m workbook``, any console encoding,
usage errors in one language."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest

from tests.support.cli import ROOT, run
from workbook.author.template import build_template
from workbook.core.book import find_table
from workbook.xlsx.reader import read_book

NUMBER = "20240520-001"


@pytest.fixture
def book(tmp_path):
    path = tmp_path / "工单跟踪.xlsx"
    build_template(path, "zh")
    return path


def ticket(path) -> dict:
    return next(r for _, r in find_table(read_book(path), "tickets").records())


def test_chinese_words_and_any_cell_time(book):
    new = run("new", book, "--reporter", "张伟", "--module", "ERP", "--description", "慢", "--priority", "高",
              "--reported", "2024/5/20 9:30", "--now", "2024年5月20日 9:40")
    assert new.exit_code == 0, new.output
    assert ticket(book)["priority"] == "P2" and ticket(book)["reported_at"].hour == 9
    assert run("assign", book, NUMBER, "--to", "周工", "--now", "2024/5/20 9:45").exit_code == 0
    result = run("log", book, NUMBER, "--kind", "进展同步", "已定位", "--now", "2024-05-20 10:00")
    assert result.exit_code == 0, result.output
    result = run("status", book, NUMBER, "等待报修人", "--reason", "等截图", "--now", "2024/5/20 10:30")
    assert result.exit_code == 0 and ticket(book)["status"] == "等待报修人", result.output
    assert run("status", book, NUMBER, "处理中", "--now", "2024/5/20 11:00").exit_code == 0
    assert ticket(book)["status"] == "处理中"


def test_a_bad_priority_at_the_prompt_is_asked_again(book):
    result = run("new", book, "--now", "2024-05-20 09:00", input="张伟\nERP\n报表打不开\nP9\n中\n")
    assert result.exit_code == 0, result.output
    assert "'P9'" in result.output and result.output.count("优先级 / Priority") == 2
    assert ticket(book)["priority"] == "P3"


@pytest.mark.parametrize("lang, words", [("zh", ("用法：", "用法错误：", "缺少 PATH")),
                                         ("en", ("Usage:", "Error: ", "missing PATH"))])
def test_usage_errors_in_one_language(lang, words):
    result = run("refresh", "--lang", lang)
    assert result.exit_code == 2
    for word in words:
        assert word in result.output, result.output
    other = ("Missing argument", "Try ") if lang == "zh" else ("缺少", "用法")
    assert not any(word in result.output for word in other)


def test_usage_language_follows_the_system_without_lang():
    assert "no such option: --bogus" in run("check", "x.xlsx", "--bogus", env={"LANG": "en_US.UTF-8"}).output
    assert "没有选项 --bogus" in run("check", "x.xlsx", "--bogus", env={"LANG": "zh_CN.UTF-8"}).output


def test_a_mistyped_command_is_answered_with_the_one_meant():
    assert "no such command 'alerts' (did you mean alert?)" in run("alerts", "x.xlsx", "--lang", "en").output
    assert "没有命令 'chek'（是否想用 check？）" in run("chek", "x.xlsx", env={"LANG": "zh_CN.UTF-8"}).output


def test_track_xls_alone_shows_its_help_and_a_bad_month_says_what_a_month_is():
    alone = run(env={"LANG": "en_US.UTF-8"})
    assert alone.exit_code in (0, 2) and alone.output.startswith("Usage: ") and "Error" not in alone.output
    assert "refresh   Number new tickets" in alone.output
    month = run("report", "x.xlsx", "--month", "2024-13", "--lang", "en")
    assert month.exit_code == 2 and "'2024-13' is not a month (expected YYYY-MM" in month.output, month.output


@pytest.mark.parametrize("lang, words", [("en_US.UTF-8", ("a folder", "text file", "no such file")),
                                         ("zh_CN.UTF-8", ("文件夹", "文本文件", "文件不存在"))])
def test_an_error_with_no_tracker_to_tell_its_language_is_in_the_users(tmp_path, lang, words):
    (tmp_path / "tickets.csv").write_text("a,b\n1,2\n")
    for path, word in zip(("", "tickets.csv", "missing.xlsx"), words):
        result = run("check", tmp_path / path, env={"LANG": lang})
        assert result.exit_code == 1 and word in result.output, result.output


def test_a_workbook_without_a_tickets_sheet_is_named_with_the_sheet(tmp_path):
    path = tmp_path / "budget.xlsx"  # someone else's workbook: no sheet track-xls knows
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(path)
    before = path.read_bytes()
    result = run("refresh", path, "--lang", "en")
    assert result.exit_code == 1
    assert f"{path}: missing sheet 'Tickets'" in result.output, result.output
    assert path.read_bytes() == before


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "gbk", "utf-8"])
def test_python_m_workbook_on_any_console_encoding(tmp_path, encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for args in (["--help"], ["new", "--help"], ["refresh", str(tmp_path / "无.xlsx")], ["status"]):
        done = subprocess.run([sys.executable, "-m", "workbook", *args], capture_output=True, env=env, cwd=ROOT)
        assert b"Traceback" not in done.stderr and done.returncode in (0, 1, 2), (args, done.stderr)
        assert done.stdout or done.stderr


def test_demo_says_what_it_wrote_and_what_to_open_first(tmp_path):
    result = run("demo", tmp_path / "演示", "--tickets", "20", "--now", "2024-05-20 10:00")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert str((tmp_path / "演示").resolve()) in lines[0]
    assert lines[-1].startswith(f"先打开 {(tmp_path / '演示' / '工单跟踪.xlsx').resolve()}")
