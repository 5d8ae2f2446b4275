"""Every user-facing text comes from the one catalog, in one language per line.

Read from the source (AST): a TrackError is raised with a catalog key, never a literal message;
every key the code names exists, every catalog entry is named somewhere, and each entry has a
Chinese and an English text that do not mix.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from workbook.cli import main
from workbook.cli.options import lang_option, reports_errors
from workbook.core import errors
from workbook.core.errors import Busy, FileProblem, InputError, OpenInApp, ReadBackMismatch, TrackError
from workbook.core.messages import CATALOG
from workbook.core.schema import Label

PACKAGE = Path(__file__).resolve().parents[2] / "workbook"
CATALOG_FILE = PACKAGE / "core" / "messages.py"
ERROR_CLASSES = {name for name, value in vars(errors).items()
                 if isinstance(value, type) and issubclass(value, TrackError)}
# Calls whose first argument is a catalog key: say(key, lang, ...), an error class, and the helpers
# that build an error or a text from a key (Step.refuse, Folder.problem, Step.say).
KEY_CALLS = ERROR_CLASSES | {"say", "refuse", "problem"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(PACKAGE.rglob("*.py"))]


def called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def key_calls():
    """(where, first argument) of every call that takes a catalog key first."""
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called(node) in KEY_CALLS and node.args:
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node.args[0]
            if (isinstance(node, ast.Call) and called(node) == "__init__" and path.name == "errors.py"
                    and node.args):
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node.args[0]


def constants(node: ast.expr) -> list[str]:
    """The keys a key argument can be: a constant, or either branch of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return constants(node.body) + constants(node.orelse)
    return []


def prefix(node: ast.expr) -> str | None:
    """``"kind_" + kind`` or ``f"verb_{step}"``: a key built from a constant prefix."""
    if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
        return node.left.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value
    return None


def test_no_error_is_raised_with_a_literal_message():
    literal = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and called(node) in ERROR_CLASSES and node.args):
                continue
            first = node.args[0]
            built = prefix(first) is not None and prefix(first).endswith("_")  # "kind_" + kind
            rendered = isinstance(first, ast.Call) and called(first) == "say"  # a text, not its key
            if isinstance(first, (ast.JoinedStr, ast.BinOp)) and not built or rendered:
                literal.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
            elif any(key not in CATALOG for key in constants(first)):
                literal.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not literal, f"raise with a message that is not a catalog key: {literal}"


def test_every_key_the_code_names_is_in_the_catalog():
    missing = []
    for where, first in key_calls():
        missing += [f"{where}: {key}" for key in constants(first) if key not in CATALOG]
        start = prefix(first)
        if start and not any(key.startswith(start) for key in CATALOG):
            missing.append(f"{where}: {start}...")
    assert not missing


def test_every_catalog_entry_is_used():
    """A key counts as used when the code spells it (keys also travel as data, e.g. check rules)
    or builds it from a prefix (``"kind_" + kind``)."""
    spelled, prefixes = set(), set()
    for path, tree in modules():
        if path == CATALOG_FILE:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                spelled.add(node.value)
            start = prefix(node) if isinstance(node, (ast.BinOp, ast.JoinedStr)) else None
            if start and start.endswith("_") and len(start) > 3:
                prefixes.add(start)
    unused = [key for key in CATALOG if key not in spelled and not key.startswith(tuple(prefixes))]
    assert not unused, f"dead catalog entries: {unused}"


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_each_entry_has_both_languages_and_does_not_mix_them(key):
    label = CATALOG[key]
    assert label.zh.strip() and label.en.strip()
    outside_placeholders = re.sub(r"\{[^{}]*\}", "", label.en)
    assert not CJK.search(outside_placeholders), f"Chinese in the English text of {key!r}: {label.en}"
    words = re.sub(r"\{[^{}]*\}", "", label.zh)
    if re.search(r"[a-z]{3}", outside_placeholders) and label.zh != label.en:  # prose, not just "HTTP"
        assert CJK.search(words), f"no Chinese in the Chinese text of {key!r}: {label.zh}"
    assert set(re.findall(r"\{(\w+)", label.zh)) == set(re.findall(r"\{(\w+)", label.en)), key


# -- rendering: one language, chosen when shown --------------------------------------------------------

def test_an_error_renders_in_the_language_asked_for():
    exc = OpenInApp("t.xlsx", "excel", "~$t.xlsx")
    assert exc.app == "excel" and exc.lock == "~$t.xlsx"
    assert "正在 Excel 中打开" in exc.render("zh") and not re.search("[A-Za-z]{5}", exc.render("zh").replace("Excel", ""))
    assert "is open in Excel" in exc.render("en") and not CJK.search(exc.render("en"))
    assert str(exc) == exc.render("en")  # no language known: logs and tracebacks in English
    assert str(InputError("required", "工单", "B2", lang="zh", header="报修人")) == "工单!B2: 必填项「报修人」为空"


def test_values_that_are_errors_or_labels_follow_the_language():
    inner = FileProblem("no_file", where="a.xlsx")
    outer = FileProblem("original_kept", reason=inner)
    assert outer.render("zh") == "a.xlsx: 文件不存在；原文件未改动"
    assert outer.render("en") == "a.xlsx: no such file; the original was kept"
    missing = InputError("missing_columns", "Tickets", row=1, names=[Label("报修人", "Reporter"),
                                                                     Label("优先级", "Priority")])
    assert missing.render("en").endswith("Reporter, Priority") and missing.render("zh").endswith("报修人、优先级")


def test_causes_carry_what_a_caller_needs():
    mismatch = ReadBackMismatch("工单", "C8", want="x", got="garbled")
    assert (mismatch.sheet, mismatch.cell, mismatch.want, mismatch.got) == ("工单", "C8", "x", "garbled")
    assert mismatch.render("en") == "工单!C8: reads back as 'garbled', not 'x'; the original was kept"
    assert Busy("t.xlsx", 30).seconds == 30


@click.command()
@lang_option
@click.option("--app", default="excel")
@click.option("--known", default=None)
@reports_errors
def _fails(lang, app, known):
    if app == "none":
        raise InputError("required", "工单", "B2", lang=known, header="Reporter")
    raise OpenInApp("t.xlsx", app, "lock")


@pytest.mark.parametrize("args, line, hint", [
    ([], "错误：t.xlsx 正在 Excel 中打开", True),
    (["--lang", "en"], "Error: t.xlsx is open in Excel", True),
    (["--app", "libreoffice"], "错误：t.xlsx 正在 LibreOffice 中打开", False),
    (["--app", "none", "--known", "en"], "Error: 工单!B2: required field 'Reporter' is empty", False),
    (["--app", "none", "--known", "en", "--lang", "zh"], "错误：工单!B2: 必填项「Reporter」为空", False),
])
def test_the_cli_shows_an_error_in_lang_else_the_workbooks_else_chinese(args, line, hint):
    result = CliRunner().invoke(_fails, args)
    assert result.exit_code == 1 and result.output.startswith(line)
    assert (len(result.output.splitlines()) == 2) == hint  # the button hint: Excel only, by class


@pytest.mark.parametrize("lang, line, hint", [("en", "Error: t.xlsx is open in Excel", "press Refresh"),
                                              ("zh", "错误：t.xlsx 正在 Excel 中打开", "「刷新」按钮")])
def test_a_file_error_before_reading_is_in_the_workbooks_language(tmp_path, lang, line, hint):
    path = tmp_path / "t.xlsx"
    assert CliRunner().invoke(main, ["init", str(path), "--lang", lang]).exit_code == 0
    (tmp_path / "~$t.xlsx").write_bytes(b"")
    result = CliRunner().invoke(main, ["refresh", str(path)])
    assert result.exit_code == 1 and result.output.startswith(line) and hint in result.output
    first = result.output.splitlines()[0]
    assert not (CJK.search(result.output) if lang == "en" else re.search("[A-Za-z]{6}", first))
