"""Two commands on one tracker at once, and refresh killed with SIGKILL at random moments.

What must hold: commands on one file run one after the other (the advisory lock), no command's
work is lost to another's, and a killed refresh leaves the old workbook or the new one, readable,
every ticket in it once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.cli import ROOT
from workbook.xlsx import file_engine
from workbook.core.changeset import ChangeSet
from workbook.core.errors import FileProblem
from workbook.xlsx.file_engine import FileEngine
from workbook.app.import_run import run_import
from workbook.core.lifecycle import plan_new, run_step
from workbook.xlsx.reader import read_book
from workbook.core.refresh import run_refresh

from tests.support import hostile

NOW = datetime(2024, 5, 21, 10, 0)


def track_xls(*args: str) -> subprocess.Popen:
    """The real command in its own process, as a user or a scheduled task starts it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", "from workbook.cli import main; main()", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def numbers(path: Path) -> list:
    rows = read_book(path).sheets["工单"].rows[1:]
    return [row[0] for row in rows if any(v is not None for v in row)]


def reporters(path: Path) -> list:
    rows = read_book(path).sheets["工单"].rows[1:]
    return [row[2] for row in rows if any(v is not None for v in row)]


# -- serialising ----------------------------------------------------------------------------------------

def while_held(path: Path, command, other_write) -> threading.Thread:
    """Start ``command`` in a thread while the file's lock is held; then write ``other_write`` and let go.

    A command that takes the lock before it reads waits, then plans on the file as the other left
    it. One that reads first plans on the old contents and can only fail when it comes to write.
    """
    holder = FileEngine(path, backups=0)
    errors: list[Exception] = []

    def target():
        try:
            command()
        except Exception as exc:  # reported to the test below
            errors.append(exc)
    with holder.locked():
        worker = threading.Thread(target=target)
        worker.start()
        time.sleep(0.4)  # long enough for the command to read, had it not waited for the lock
        holder.read()
        holder.apply(other_write(holder))
    worker.join(30)
    assert not errors, errors
    return worker


def append_reporter(name: str):
    def write(engine: FileEngine) -> ChangeSet:
        rows = engine.read().sheets["工单"].rows
        end = max(i for i, row in enumerate(rows) if any(v is not None for v in row)) + 1
        changes = ChangeSet()
        for key, value in (hostile.TICKET | {"reporter": name}).items():
            changes.set("工单", end, hostile.COLUMN[key], value)
        return changes
    return write


def test_import_waits_for_the_lock_and_keeps_the_other_write(tmp_path):
    path = hostile.tracker(tmp_path)
    source = tmp_path / "old.csv"
    source.write_text("报修时间,报修人,问题描述,优先级\n2024-05-20 15:00,导入者,打印机,P3\n", encoding="utf-8")
    while_held(path, lambda: run_import(source, path, now=NOW), append_reporter("另一人"))
    assert reporters(path) == ["张伟", "另一人", "导入者"]


def test_refresh_waits_for_the_lock_and_keeps_the_other_write(tmp_path):
    path = hostile.tracker(tmp_path)
    while_held(path, lambda: run_refresh(FileEngine(path), NOW), append_reporter("另一人"))
    assert numbers(path) == ["20240520-001", "20240520-002"]


def test_new_waits_for_the_lock_and_keeps_the_other_write(tmp_path):
    path = hostile.tracker(tmp_path)
    fields = {k: v for k, v in hostile.TICKET.items() if k not in ("status", "reported_at")} | {"reporter": "新人"}

    def new():
        run_step(FileEngine(path), lambda tracker, now: plan_new(tracker, fields, now)[0], NOW)
    while_held(path, new, append_reporter("另一人"))
    assert reporters(path) == ["张伟", "另一人", "新人"]


def test_a_file_replaced_during_the_read_is_not_written_over(tmp_path, monkeypatch):
    path = hostile.tracker(tmp_path)
    real_read = file_engine.read_book

    def read_then_someone_writes(p, *args, **kw):
        book = real_read(p, *args, **kw)
        monkeypatch.setattr(file_engine, "read_book", real_read)
        other = FileEngine(path, backups=0)
        other.read()
        other.apply(append_reporter("另一人")(other))
        return book
    monkeypatch.setattr(file_engine, "read_book", read_then_someone_writes)
    engine = FileEngine(path, backups=0)
    engine.read()  # sees one ticket; meanwhile 另一人 is appended as row 3
    with pytest.raises(FileProblem):
        engine.apply(_row3("晚到者"))
    assert reporters(path) == ["张伟", "另一人"]


def _row3(name: str) -> ChangeSet:
    """What a command that read one ticket writes: its new ticket on row 3."""
    changes = ChangeSet()
    for key, value in (hostile.TICKET | {"reporter": name}).items():
        changes.set("工单", 2, hostile.COLUMN[key], value)
    return changes


def test_commands_started_together_lose_nothing(tmp_path):
    """Real processes: several `new` and a `refresh` at once. Each either succeeds or says to run it
    again, and every ticket a successful `new` reported is in the file exactly once."""
    path = hostile.tracker(tmp_path)
    names = [f"并发{i}" for i in range(4)]
    procs = [track_xls("new", str(path), "--reporter", n, "--module", "m", "--description", "d", "--priority", "P3",
                       "--now", "2024-05-21 10:00") for n in names]
    procs.append(track_xls("refresh", str(path), "--now", "2024-05-21 10:00"))
    results = [(p.wait(60), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert "Traceback" not in err and code in (0, 1), err
        assert code == 0 or "again" in err or "重新" in err, err
    made = [n for n, (code, _, _) in zip(names, results) if code == 0]
    present = reporters(path)
    assert all(present.count(n) == 1 for n in made), (made, present)
    assert len(set(filter(None, numbers(path)))) == len(list(filter(None, numbers(path))))


# -- kill -9 ------------------------------------------------------------------------------------------------

def test_refresh_killed_at_random_moments_leaves_old_or_new(tmp_path):
    start = hostile.TICKET["reported_at"]
    records = [hostile.TICKET | {"reported_at": start + timedelta(minutes=7 * i), "reporter": f"用户{i}"}
               for i in range(1000)]
    path = hostile.tracker(tmp_path, records)
    pristine = path.read_bytes()
    rng = random.Random(20240520)
    outcomes = set()
    for _ in range(6):
        path.write_bytes(pristine)
        proc = track_xls("refresh", str(path), "--now", "2024-06-30 10:00")
        time.sleep(rng.uniform(0.3, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        found = numbers(path)  # readable, whatever the moment
        assert len(found) == 1000
        if any(found):
            assert len(set(found)) == 1000 and all(found), "a half-numbered tracker"
            outcomes.add("new")
        else:
            assert path.read_bytes() == pristine
            outcomes.add("old")
    # The next run cleans what a killed one left and finishes the job.
    done = track_xls("refresh", str(path), "--now", "2024-06-30 10:00")
    assert done.wait(60) == 0, done.communicate()
    assert len(set(numbers(path))) == 1000
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]
