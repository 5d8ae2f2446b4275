"""The tracker file treated as Excel treats it: symlinks followed, read-only refused, mode, owner
and group kept, a lock any user of a shared folder can take, and a full, read-only or failing disk
met with one line and the tracker unchanged.

The situations are real: symlinks, chmod, a second user through ``setpriv`` and a 1 MB tmpfs for
a full disk (both need root; skipped with the reason otherwise).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.books import typed_tracker
from workbook.cli import main
from workbook.core.tracker import load_tracker
from workbook.xlsx.reader import read_book

NOW = "2024-06-15 10:00"
ROW = {"reported_at": "2024-06-14 09:00", "reporter": "王芳", "module": "OA系统", "description": "打不开",
       "priority": "P3", "status": "新建"}
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
TRACK_XLS = str(Path(sys.executable).with_name("track-xls"))


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def numbers(path: Path) -> list[str]:
    return [t.number for t in load_tracker(read_book(path)).tickets]


@pytest.fixture
def tracker(tmp_path) -> Path:
    return typed_tracker(tmp_path / "工单跟踪.xlsx", [ROW])


def test_a_symlinked_tracker_is_written_through_the_link(tracker, tmp_path):
    desk = tmp_path / "desk"
    desk.mkdir()
    link = desk / "tracker.xlsx"
    link.symlink_to(tracker)
    result = run("refresh", link, "--now", NOW)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == tracker
    assert numbers(tracker) == ["20240614-001"]
    assert (tracker.parent / ".track-xls-backups").is_dir() and not (desk / ".track-xls-backups").exists()
    assert not list(desk.glob(".*.lock"))  # the lock was taken beside the real file (and removed after)


def test_excel_lock_beside_the_real_file_is_seen_through_the_link(tracker, tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(tracker)
    (tracker.parent / f"~${tracker.name}").write_bytes(b"owner")
    before = digest(tracker)
    result = run("refresh", link, "--now", NOW)
    assert result.exit_code == 1 and "Excel" in result.output
    assert digest(tracker) == before and link.is_symlink()


def test_a_read_only_tracker_is_refused_and_left_alone(tracker):
    tracker.chmod(0o444)
    before = digest(tracker)
    for args in (["refresh", tracker], ["archive", tracker],
                 ["new", tracker, "--reporter", "李雷", "--module", "OA系统", "--description", "慢", "--priority", "P4"]):
        result = run(*args, "--now", NOW)
        assert result.exit_code == 1 and "只读" in result.output, result.output
        assert "Traceback" not in result.output
    assert digest(tracker) == before and stat.S_IMODE(tracker.stat().st_mode) == 0o444


def test_mode_is_kept(tracker):
    tracker.chmod(0o640)
    assert run("refresh", tracker, "--now", NOW).exit_code == 0
    assert stat.S_IMODE(tracker.stat().st_mode) == 0o640


# -- other users ---------------------------------------------------------------------------------------

def _setpriv_reason() -> str | None:
    if not ROOT:
        return "needs root to chown files and to run a command as a second user"
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    tried = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", TRACK_XLS, "--version"],
                           capture_output=True, text=True, timeout=60)
    if tried.returncode:  # e.g. the project lies in a folder only root may enter
        return f"user nobody cannot run {TRACK_XLS}: {tried.stderr.strip()[-200:]}"
    return None


@pytest.fixture
def shared(tmp_path) -> Path:
    """A team folder everyone may write, outside root's private pytest folder, with a tracker in it."""
    reason = _setpriv_reason()
    if reason:
        print(f"skipped: {reason}")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="team-"))
    folder.chmod(0o777)
    path = typed_tracker(folder / "tracker.xlsx", [ROW])
    path.chmod(0o666)
    yield path
    shutil.rmtree(folder)


def as_nobody(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", TRACK_XLS,
                           *map(str, args)], capture_output=True, text=True, timeout=120)


def test_owner_and_group_are_kept_when_another_user_writes(shared):
    nobody = int(subprocess.run(["id", "-u", "nobody"], capture_output=True, text=True).stdout)
    os.chown(shared, nobody, 0)
    assert run("refresh", shared, "--now", NOW).exit_code == 0  # root writes nobody's file
    assert (shared.stat().st_uid, shared.stat().st_gid) == (nobody, 0)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o666


def test_a_lock_file_one_user_made_does_not_lock_out_the_next(shared):
    assert run("refresh", shared, "--now", NOW).exit_code == 0
    done = as_nobody("refresh", shared, "--now", "2024-06-15 11:00")
    assert done.returncode == 0, done.stdout + done.stderr
    lock = shared.with_name(f".{shared.name}.lock")
    lock.touch()  # one left by another user (a crash, or an older version): root's, not writable by others
    lock.chmod(0o644)
    done = as_nobody("refresh", shared, "--now", "2024-06-15 12:00")
    assert done.returncode == 0, done.stdout + done.stderr
    assert numbers(shared) == ["20240614-001"]


# -- full, read-only and failing disks -----------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path) -> Path:
    if not ROOT:
        print("skipped: mounting a tmpfs needs root")
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode:
        reason = f"mount -t tmpfs failed: {mounted.stderr.decode().strip()}"
        print(f"skipped: {reason}")
        pytest.skip(reason)
    yield disk
    subprocess.run(["umount", "-l", str(disk)])


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk until ``leave`` bytes are free."""
    free = shutil.disk_usage(disk).free
    with open(disk / "filler.bin", "wb") as f:
        f.write(b"\0" * max(0, free - leave))


def test_full_disk_refresh_is_one_line_and_the_tracker_unchanged(tracker, small_disk):
    path = small_disk / tracker.name
    shutil.copy(tracker, path)
    _fill(small_disk, 4096)
    before = digest(path)
    result = run("refresh", path, "--now", NOW)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert digest(path) == before
    assert sorted(p.name for p in small_disk.iterdir()) == sorted(["filler.bin", path.name])


def test_full_disk_archive_is_one_line_and_every_ticket_stays(small_disk):
    from tests.support.archive_books import NOW as DEMO_NOW
    from workbook.app.demo import make_demo_tracker

    path, _ = make_demo_tracker(small_disk, "zh", 40, DEMO_NOW)
    before, tickets = digest(path), numbers(path)
    _fill(small_disk, 20_000)
    result = CliRunner().invoke(main, ["archive", str(path), "--all-before", "2024-06", "--now", "2024-06-15 10:00"])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("错误：")]  # past the progress bar
    assert len(errors) == 1 and "磁盘空间不足" in errors[0] and "Traceback" not in result.output
    assert digest(path) == before and numbers(path) == tickets
    archive = small_disk / "archive"
    assert not list(archive.rglob("*.xlsx")) and not list(archive.rglob("manifest.json"))


def test_read_only_file_system_is_one_line(tracker, small_disk):
    path = small_disk / tracker.name
    shutil.copy(tracker, path)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    before = digest(path)
    result = run("refresh", path, "--now", NOW)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "Traceback" not in result.output and digest(path) == before


def test_io_error_is_one_line_and_the_tracker_unchanged(tracker, monkeypatch):
    def failing(fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))
    monkeypatch.setattr(os, "fsync", failing)
    before = digest(tracker)
    result = run("refresh", tracker, "--now", NOW)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert digest(tracker) == before and numbers(tracker) == [""]
    assert not list(tracker.parent.glob(".*.tmp.xlsx"))


def test_os_errors_read_as_their_cause_in_both_languages():
    from workbook.cli.options import os_error

    for code, zh, en in ((errno.ENOSPC, "磁盘空间不足", "no space left"), (errno.EACCES, "没有权限", "permission denied"),
                         (errno.EROFS, "只读", "read-only"), (errno.EIO, "读写出错", "input/output error")):
        exc = OSError(code, os.strerror(code), "x.xlsx")
        assert zh in os_error(exc, "zh") and en in os_error(exc, "en") and "x.xlsx" in os_error(exc, "en")


def test_a_second_user_archives_into_the_folder_the_first_made(shared):
    from tests.support.archive_books import NOW as DEMO_NOW
    from workbook.app.demo import make_demo_tracker

    path, _ = make_demo_tracker(shared.parent / "demo", "zh", 40, DEMO_NOW)
    for made in (path.parent, *path.parent.rglob("*")):  # the team shares the folder it made
        made.chmod(0o777 if made.is_dir() else 0o666)
    tickets = set(numbers(path))
    assert run("archive", path, "--month", "2024-04", "--now", "2024-06-15 10:00").exit_code == 0
    done = as_nobody("archive", path, "--month", "2024-05", "--now", "2024-06-15 10:00")
    assert done.returncode == 0, done.stdout + done.stderr
    archived = set()
    for file in (path.parent / "archive").rglob("*.xlsx"):
        archived |= {t.number for t in load_tracker(read_book(file)).tickets}
    assert archived | set(numbers(path)) == tickets and not archived & set(numbers(path))
