"""What track-xls leaves beside a tracker: no lock file once a command is done (worked or failed,
or the file was never there), and backups a user can list and put back."""

from __future__ import annotations

from datetime import datetime


from tests.support.cli import run
from tests.support.books import typed_tracker
from workbook.xlsx.safe_write import backups_of

P3 = {"reported_at": datetime(2024, 5, 20, 9, 0), "reporter": "张伟", "module": "ERP", "description": "慢",
      "priority": "P3", "status": "新建"}


def names(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_no_lock_file_is_left_by_a_command_that_worked_failed_or_had_no_file(tmp_path):
    path = typed_tracker(tmp_path / "工单跟踪.xlsx", [P3])
    assert run("refresh", path, "--now", "2024-05-20 10:00").exit_code == 0
    assert run("assign", path, "20240520-009", "--to", "周工").exit_code == 1  # no such ticket
    assert run("refresh", tmp_path / "不存在.xlsx").exit_code == 1
    assert names(tmp_path) == {"工单跟踪.xlsx", ".track-xls-backups"}


def test_backups_are_listed_and_one_is_put_back_atomically(tmp_path):
    path = typed_tracker(tmp_path / "工单跟踪.xlsx", [P3])
    original = path.read_bytes()
    assert run("refresh", path, "--now", "2024-05-20 10:00").exit_code == 0
    refreshed = path.read_bytes()
    assert refreshed != original and [b.read_bytes() for b in backups_of(path)] == [original]

    listed = run("backups", path)
    assert listed.exit_code == 0 and backups_of(path)[0].name in listed.output and "track-xls restore" in listed.output

    (tmp_path / f"~${path.name}").write_bytes(b"\0" * 165)  # open in Excel: no restore behind its back
    refused = run("restore", path, "1")
    assert refused.exit_code == 1 and "Excel" in refused.output and path.read_bytes() == refreshed
    (tmp_path / f"~${path.name}").unlink()

    restored = run("restore", path, "1")
    assert restored.exit_code == 0, restored.output
    assert path.read_bytes() == original  # the backup is back
    assert [b.read_bytes() for b in backups_of(path)] == [original, refreshed]  # and the restore can be undone
    assert run("restore", path, "1").exit_code == 0 and path.read_bytes() == refreshed
    assert run("restore", path, "x.xlsx").exit_code == 1
    assert names(tmp_path) == {"工单跟踪.xlsx", ".track-xls-backups"}  # no temp or lock file left
