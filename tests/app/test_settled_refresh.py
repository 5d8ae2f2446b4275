"""A refresh that remembers its settled tickets writes what one reading the whole workbook writes.

Two copies of a random demo tracker go through the same random steps: statuses changed by hand, a
closed ticket edited, a Log note added to a ticket, new rows typed, a setting changed, or nothing
at all. After each step one copy is refreshed with its memory (``.<name>.settled.json``, rows left
out of the read), the other without; every cell of both files must then be the same, and so must
what the refresh tells. See workbook/core/settled.py.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from workbook.app import demo, settled_file
from workbook.app.settled_file import SettledFile
from workbook.core import schema
from workbook.core.book import find_table
from workbook.core.changeset import ChangeSet
from workbook.core.log import log_row, status_change_text
from workbook.core.refresh import run_refresh
from workbook.core.settings import PARAMS
from workbook.xlsx.file_engine import FileEngine
from workbook.xlsx.reader import read_book

NOW = datetime(2025, 11, 19, 15, 0)
STEPS = ("nothing", "statuses", "edit_done", "note", "new_rows", "setting")


def refreshed(path: Path, now: datetime, remember: bool) -> tuple[list[str], int]:
    """What the refresh told, and how many tickets it left out of its read."""
    memory = SettledFile(path) if remember else None
    tracker, result = run_refresh(FileEngine(path, backups=0), now, memory=memory)
    return result.summary("zh"), len(tracker.settled)


def done_rows(path: Path) -> list[int]:
    table = find_table(read_book(path), "tickets")
    done = {label("zh") for code, label in schema.STATUSES.items() if code in schema.DONE_STATUSES}
    return [r for r, record in table.records() if record["status"] in done]


def step(path: Path, kind: str, pick: int, now: datetime) -> None:
    """One thing a team does to the workbook between two refreshes."""
    engine = FileEngine(path, backups=0)
    book = engine.read()
    table, log = find_table(book, "tickets"), find_table(book, "log")
    rows = [r for r, _ in table.records()]
    changes = ChangeSet()
    if kind == "statuses":
        for r in rows[pick % len(rows)::7][:3]:
            changes.set(table.name, r, table.columns["status"], schema.STATUSES["in_progress"]("zh"))
    elif kind == "edit_done":
        done = done_rows(path)
        changes.set(table.name, done[pick % len(done)], table.columns["module"], "网络")
    elif kind == "note":
        done = done_rows(path)
        number = table.sheet.value(done[pick % len(done)], table.columns["ticket_no"])
        kind, text = ("update", "回访") if pick % 2 else ("status_change", status_change_text("closed", "in_progress", "zh"))
        for c, value in log_row(log, number, now, "张三", kind, text).items():
            changes.set(log.name, log.end_row, c, value)
    elif kind == "new_rows":
        tickets, _ = demo.demo_rows(2, now, "zh", seed=pick)
        for i, ticket in enumerate(tickets):
            for key, value in ticket.items():
                changes.set(table.name, table.end_row + i, table.columns[key], value)
    elif kind == "setting":
        sheet = book.sheet("settings")  # an SLA target every done P3 ticket was judged on, or 预警阈值
        if pick % 2:
            row = next(r for r, cells in enumerate(sheet.rows) if cells[:2] == ["P3", "解决"])
            changes.set(sheet.name, row, 2, 1 + pick % 3)
        else:
            row = next(r for r, cells in enumerate(sheet.rows) if cells and cells[0] == PARAMS["warn_ratio"]("zh"))
            changes.set(sheet.name, row, 1, 0.5 + pick % 4 / 10)
    if changes:
        engine.apply(changes)


def assert_same_cells(a: Path, b: Path) -> None:
    got, want = read_book(a), read_book(b)
    assert list(got.sheets) == list(want.sheets)
    for name, sheet in want.sheets.items():
        assert got.sheets[name].rows == sheet.rows, name


@pytest.fixture(scope="module")
def tracker(blank, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("settled") / "tracker.xlsx"
    shutil.copy(blank, path)
    engine = FileEngine(path, backups=0)
    engine.apply(demo._rows_change_set(engine, *demo.demo_rows(60, NOW, "zh", seed=3)))
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 1000)), min_size=1, max_size=4))
def test_a_remembering_refresh_writes_what_a_whole_one_would(tracker, tmp_path_factory, steps):
    work = tmp_path_factory.mktemp("steps")
    fast, whole = work / "fast.xlsx", work / "whole.xlsx"
    shutil.copy(tracker, fast)
    shutil.copy(tracker, whole)
    now = NOW
    for now in (NOW, NOW + timedelta(minutes=5)):  # the first writes every ticket: the second settles
        assert refreshed(fast, now, True)[0] == refreshed(whole, now, False)[0]
    for kind, pick in steps:
        now += timedelta(minutes=10 + 7 * pick)
        step(fast, kind, pick, now)
        step(whole, kind, pick, now)
        (told, left_out), (want, _) = refreshed(fast, now, True), refreshed(whole, now, False)
        assert told == want, kind
        assert_same_cells(fast, whole)
        if kind in ("nothing", "new_rows"):  # nothing a settled ticket was judged on changed
            assert left_out > 0


@pytest.mark.parametrize("kind, pick", [(kind, pick) for kind in STEPS for pick in (0, 1)])
def test_each_step_after_a_settled_refresh(tracker, tmp_path, kind, pick):
    fast, whole = tmp_path / "fast.xlsx", tmp_path / "whole.xlsx"
    shutil.copy(tracker, fast)
    shutil.copy(tracker, whole)
    for now in (NOW, NOW + timedelta(minutes=5)):
        refreshed(fast, now, True)
        refreshed(whole, now, False)
    now = NOW + timedelta(hours=1)
    step(fast, kind, pick, now)
    step(whole, kind, pick, now)
    assert refreshed(fast, now, True)[0] == refreshed(whole, now, False)[0]
    assert_same_cells(fast, whole)


def test_the_memory_is_kept_with_the_backups_and_read_back_whole(tracker, tmp_path):
    path = tmp_path / "tracker.xlsx"
    shutil.copy(tracker, path)
    for now in (NOW, NOW + timedelta(minutes=5)):
        refreshed(path, now, True)
    memory = SettledFile(path)
    assert memory.path.parent.name == ".track-xls-backups"
    kept = memory.recall()
    assert kept is not None and len(kept.tickets) > 30
    memory.keep(kept)
    assert memory.recall() == kept


@pytest.mark.parametrize("damage", ["truncated", "edited", "other_code", "missing"])
def test_a_memory_that_cannot_be_trusted_costs_a_whole_read_not_a_wrong_figure(tracker, tmp_path, monkeypatch, damage):
    fast, whole = tmp_path / "fast.xlsx", tmp_path / "whole.xlsx"
    for path in (fast, whole):
        shutil.copy(tracker, path)
        for now in (NOW, NOW + timedelta(minutes=5)):
            refreshed(path, now, path == fast)
    memory = SettledFile(fast).path
    data = memory.read_bytes()
    if damage == "truncated":
        memory.write_bytes(data[:len(data) // 2])
    elif damage == "edited":  # a ticket's figures changed by hand, the digest line kept
        memory.write_bytes(data.replace(b'"P3"', b'"P1"', 1))
    elif damage == "other_code":
        monkeypatch.setattr(settled_file, "code_version", lambda: ["other source", "other holidays"])
    else:
        memory.unlink()
    assert SettledFile(fast).recall() is None
    later = NOW + timedelta(hours=2)
    (told, left_out), (want, _) = refreshed(fast, later, True), refreshed(whole, later, False)
    assert told == want and left_out == 0
    assert_same_cells(fast, whole)
    assert SettledFile(fast).recall() is not None  # remembered afresh


def test_a_memory_that_cannot_be_written_is_not_kept(tracker, tmp_path, monkeypatch):
    path = tmp_path / "tracker.xlsx"
    shutil.copy(tracker, path)

    replace = os.replace

    def refuse(source, target):  # the workbook is written; its memory is not
        if str(target).endswith(".settled.json"):
            raise PermissionError("read-only")
        replace(source, target)
    monkeypatch.setattr(os, "replace", refuse)
    for now in (NOW, NOW + timedelta(minutes=5)):
        refreshed(path, now, True)
    assert not list((tmp_path / ".track-xls-backups").glob("*.settled.json*"))  # neither memory nor leftover
