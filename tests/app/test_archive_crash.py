"""Month-end archive under failure: an error mid-run, a crash injected after every step, a real kill -9.

Whatever happens, the next run completes or rolls back and every ticket is in exactly one place.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from workbook.app import archive_store
from workbook.core.errors import VerifyError

from tests.support.cli import kill_when_paused
from tests.support.archive_books import (NOW, archived_numbers, assert_exactly_once, cli, close_ticket, index_rows,
                                         sha, tracker_numbers)



def test_archive_that_does_not_read_back_is_undone_at_once(tracker, monkeypatch):
    def fail(*args):
        raise VerifyError("archive_read_back", lang="en", got=1, want=2, got_log=0, want_log=0)

    monkeypatch.setattr(archive_store, "verify_archive", fail)
    before = sha(tracker)
    result = cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert result.exit_code == 1 and "did not read back" in result.output
    assert sha(tracker) == before and not list((tracker.parent / "archive").rglob("*.xlsx*"))
    assert not (tracker.parent / "archive/.journal.json").exists()


def test_tracker_locked_after_the_archives_are_written_is_finished_by_a_rerun(tracker, monkeypatch):
    original = set(tracker_numbers(tracker))
    excel_lock = tracker.parent / f"~${tracker.name}"

    def open_in_excel(step):
        if step == "archive-replaced":
            excel_lock.write_text("")

    monkeypatch.setattr(archive_store, "step_hook", open_in_excel)
    result = cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert result.exit_code == 1 and "再次运行 track-xls archive" in result.output
    excel_lock.unlink()
    monkeypatch.setattr(archive_store, "step_hook", lambda step: None)
    result = cli(tracker, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert result.exit_code == 0 and "已完成上次中断的归档" in result.output
    assert_exactly_once(tracker, original)


# -- crash safety ---------------------------------------------------------------------------------------

class Crash(BaseException):
    """Stands for the process dying: not an Exception, so nothing on the way up handles it."""


STEPS = ["planned", "temp-written", "archive-written", "archive-replaced", "tracker-applied", "tracker-written",
         "done"]


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_at_any_step_is_completed_or_rolled_back_by_the_next_run(tracker, monkeypatch, step):
    original = set(tracker_numbers(tracker))
    cli(tracker, "--month", "2024-04", "--now", "2024-06-15 10:00")  # a month file exists already
    april = tracker.parent / "archive/2024-04/工单归档_2024-04.xlsx"
    close_ticket(tracker, datetime(2024, 4, 30, 17, 0))  # a late April closure: re-authors April

    def crash(at):
        if at == step:
            raise Crash(at)

    monkeypatch.setattr(archive_store, "step_hook", crash)
    with pytest.raises(Crash):
        archive_store.run_archive(tracker, all_before="2024-06", now=NOW)
    if step in ("planned", "temp-written"):
        assert archived_numbers(april) and len(set(archived_numbers(april))) == len(archived_numbers(april))
    monkeypatch.setattr(archive_store, "step_hook", lambda at: None)
    _, result = archive_store.run_archive(tracker, all_before="2024-06", now=NOW)
    expected = {"planned": "rolled_back", "temp-written": "rolled_back", "done": None}.get(step, "completed")
    assert result.recovered == expected
    assert_exactly_once(tracker, original)
    assert not [n for n in tracker_numbers(tracker) if n in {r[0] for r in index_rows(tracker)}]
    assert len(index_rows(tracker)) == len(original) - len(tracker_numbers(tracker))
    assert not list((tracker.parent / "archive").glob("*/.*.tmp"))
    assert json.loads((tracker.parent / "archive/.journal.json").read_text("utf-8"))["phase"] == "done"


KILL_SCRIPT = """
import sys, time
from workbook.app import archive_store
from workbook.cli import main

def pause(step):
    if step == sys.argv[2]:
        print("paused", flush=True)
        time.sleep(60)

archive_store.step_hook = pause
main(["archive", sys.argv[1], "--all-before", "2024-06", "--now", "2024-06-15 10:00"])
"""


@pytest.mark.parametrize("step", ["temp-written", "archive-replaced"])
def test_kill_9_mid_run_then_the_next_run_finishes(tracker, step):
    original = set(tracker_numbers(tracker))
    kill_when_paused(KILL_SCRIPT, str(tracker), step)
    journal = json.loads((tracker.parent / "archive/.journal.json").read_text("utf-8"))
    assert journal["phase"] == ("planned" if step == "temp-written" else "archive-written")
    assert "中断" in cli(tracker, "--all-before", "2024-06", "--now", "2024-06-15 10:00", "--dry-run").output
    result = cli(tracker, "--all-before", "2024-06", "--now", "2024-06-15 10:00")
    assert result.exit_code == 0, result.output
    assert ("已撤销" if step == "temp-written" else "已完成上次中断的归档") in result.output
    assert_exactly_once(tracker, original)
    assert set(tracker_numbers(tracker)).isdisjoint({r[0] for r in index_rows(tracker)})
