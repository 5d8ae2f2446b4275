"""The fast refresh writes exactly the cells a plain one would, on random trackers.

Fast: run_refresh through the file engine (rows spliced into the sheet XML, unchanged rows copied,
rows checked while written) and the planner with its shortcuts (the tracker after the refresh's own
edits read again only where they touched it, computed cells compared with the sheet as they are
planned). Plain reference: the same tracker's values read, planned on with those shortcuts off (the
tracker read whole a second time, every computed cell planned and then filtered) and the change set
laid over them in Python (ChangeSet.applied_to), no file surgery.
Every cell of every sheet, as calamine reads the written file, must be what the reference holds:
after a first refresh (every computed cell written), and after a second one ten minutes later with
some statuses changed by hand (few rows written, the steady path).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings, strategies as st

from workbook.app import demo
from workbook.core import schema
from workbook.core.book import BookData, find_table
from workbook.core.changeset import ChangeSet
from workbook.core.refresh import plan_refresh, run_refresh
from workbook.core.tracker import load_tracker
from workbook.xlsx.file_engine import FileEngine
from workbook.xlsx.reader import read_book
from workbook.xlsx.row_check import same

NOW = datetime(2025, 11, 19, 15, 0)


def reference(path: Path, now: datetime) -> BookData:
    """The tracker at ``path`` as a plain refresh at ``now`` leaves it: values planned on and laid over."""
    book = read_book(path)
    with patch("workbook.core.refresh.updated", lambda tracker, changes: load_tracker(changes.applied_to(tracker.book))), \
            patch("workbook.core.computed.same_value", lambda old, new: False):
        result = plan_refresh(load_tracker(book), now)
    return result.changes.applied_to(book) if result.changes else book


def assert_same_cells(path: Path, want: BookData) -> None:
    got = read_book(path)
    assert list(got.sheets) == list(want.sheets)
    for name, sheet in want.sheets.items():
        rows = got.sheets[name].rows
        for r in range(max(len(sheet.rows), len(rows))):
            w = sheet.rows[r] if r < len(sheet.rows) else []
            g = rows[r] if r < len(rows) else []
            for c in range(max(len(w), len(g))):
                a = w[c] if c < len(w) else None
                b = g[c] if c < len(g) else None
                assert same(None if a == "" else a, b), f"{name} row {r + 1} col {c + 1}: {b!r}, not {a!r}"


def hand_edits(path: Path, picks: list[int], status: str) -> None:
    """Statuses changed by hand, as a user types them between two refreshes."""
    engine = FileEngine(path, backups=0)
    table = find_table(engine.read(), "tickets")
    changes = ChangeSet()
    rows = table.end_row - table.first_row
    for pick in picks:
        changes.set(table.name, table.first_row + pick % rows, table.columns["status"], schema.STATUSES[status]("zh"))
    engine.apply(changes)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), count=st.integers(1, 60), hours=st.integers(0, 72),
       picks=st.lists(st.integers(0, 10_000), max_size=4),
       status=st.sampled_from(["in_progress", "waiting", "resolved", "closed"]))
def test_fast_refresh_writes_what_a_plain_one_would(blank, seed, count, hours, picks, status):
    now = NOW + timedelta(hours=hours)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "tracker.xlsx"
        shutil.copy(blank, path)
        engine = FileEngine(path, backups=0)
        engine.apply(demo._rows_change_set(engine, *demo.demo_rows(count, now, "zh", seed)))

        want = reference(path, now)
        run_refresh(FileEngine(path, backups=0), now)
        assert_same_cells(path, want)

        hand_edits(path, picks, status)
        later = now + timedelta(minutes=10)
        want = reference(path, later)
        run_refresh(FileEngine(path, backups=0), later)
        assert_same_cells(path, want)


def test_a_benchmark_sized_tracker_refreshes_as_a_plain_one_would(blank, tmp_path):
    """The bench's shape at 1,000 tickets: a demo tracker's first refresh (every ticket written), then
    a steady one ten minutes later with four statuses set to 等待报修人 by hand (Log rows appended,
    pauses started, a few rows written)."""
    path = tmp_path / "tracker.xlsx"
    shutil.copy(blank, path)
    engine = FileEngine(path, backups=0)
    engine.apply(demo._rows_change_set(engine, *demo.demo_rows(1_000, NOW, "zh")))
    for now, picks in ((NOW, []), (NOW + timedelta(minutes=10), [3, 50, 400, 777])):
        if picks:
            hand_edits(path, picks, "waiting")
        want = reference(path, now)
        run_refresh(FileEngine(path, backups=0), now)
        assert_same_cells(path, want)
