"""The workbook file on disk: is it usable, is someone else holding it, and replacing it safely.

A write goes to a temp file beside the target (same file system, so the rename is atomic), is
fsynced, checked, and renamed over the target; then the directory is fsynced so the rename itself
survives a power cut. A crash at any moment leaves the old file or the new one, never half of one.
The previous file is kept in ``.track-xls-backups/`` beside it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from ..core.errors import FileProblem, LockedError
from ..core.messages import both
from .safety import check_kind

BACKUP_DIR = ".track-xls-backups"
LOCK_WAIT = 30.0  # seconds a command waits for another track-xls command on the same file



def check_not_open(path: str | Path) -> None:
    """LockedError when Excel or LibreOffice has the file open (their lock files sit beside it)."""
    path = Path(path)
    excel = path.with_name("~$" + path.name)
    office = path.with_name(f".~lock.{path.name}#")
    for lock, app in ((excel, "Excel"), (office, "LibreOffice")):
        if lock.exists():
            raise LockedError(both("open_in_app", name=path.name, app=app, lock=lock.name))


def check_openable(path: str | Path) -> None:
    """FileProblem for a missing or non-Excel file; LockedError when Excel or LibreOffice has it."""
    check_kind(path)
    check_not_open(path)


@contextmanager
def advisory_lock(path: str | Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold ``.name.lock`` beside the file, so two track-xls commands on it run one after the other.

    The lock file is removed when the holder is done (whether its command worked or failed); a
    waiter that then gets the lock on the removed file sees it is gone and takes a fresh one.
    """
    path = Path(path)
    lock = path.with_name(f".{path.name}.lock")
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise FileProblem(f"{path}: {both('cannot_lock', reason=exc.strerror)}") from exc
        if _try_lock(fd) and _same_file(fd, lock):
            break
        os.close(fd)
        if time.monotonic() > deadline:
            raise LockedError(both("busy", name=path.name, seconds=f"{wait:.0f}"))
        time.sleep(0.05)
    try:
        yield
    finally:
        try:
            lock.unlink()  # still held: nobody can take this file's lock in between
        except OSError:
            pass  # Windows keeps an open file: it stays, harmless, and is reused next time
        os.close(fd)  # closing releases the lock


def _same_file(fd: int, lock: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(lock))
    except OSError:
        return False


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def temp_name(path: Path) -> Path:
    """A hidden temp file beside ``path``, keeping its suffix (readers pick the format by it)."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.tmp{path.suffix}")


def remove_stale_temps(path: Path) -> None:
    """Temp files a killed command left beside ``path`` (call under the advisory lock)."""
    pattern = re.compile(rf"\.{re.escape(path.stem)}\.[0-9a-f]{{8}}\.tmp{re.escape(path.suffix)}$")
    for leftover in path.parent.iterdir():
        if pattern.match(leftover.name):
            leftover.unlink(missing_ok=True)


def replace_file(path: str | Path, write: Callable[[BinaryIO], None], check: Callable[[Path], None],
                 backups: int = 5) -> None:
    """Write a new version of ``path`` with ``write``, ``check`` it, keep a backup, then swap it in.

    Nothing is left behind on any error: the temp file is removed and ``path`` is untouched.
    """
    path = Path(path)
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        shutil.copymode(path, tmp)
        check(tmp)
        if backups > 0:
            keep_backup(path, backups)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def keep_backup(path: Path, count: int) -> Path:
    """Keep ``path`` as ``.track-xls-backups/<stem>.<YYYYmmdd-HHMMSS>[-n]<suffix>``; only ``count`` stay."""
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    # Within one second, number the backups after the newest kept one, so names sort by age.
    taken = [key[1] for key, _ in _backups(path) if key[0] == stamp]
    n = max(taken) + 1 if taken else 0
    target = folder / (f"{path.stem}.{stamp}-{n}{path.suffix}" if n else f"{path.stem}.{stamp}{path.suffix}")
    try:
        os.link(path, target)  # instant; the old bytes stay reachable once the new file replaces path
    except OSError:
        shutil.copy2(path, target)
    for old in backups_of(path)[:-count]:
        old.unlink(missing_ok=True)
    return target


def backups_of(path: str | Path) -> list[Path]:
    """The backups kept for ``path``, oldest first."""
    return [p for _, p in _backups(Path(path))]


def _backups(path: Path) -> list[tuple[tuple[str, int], Path]]:
    pattern = re.compile(rf"{re.escape(path.stem)}\.(\d{{8}}-\d{{6}})(?:-(\d+))?{re.escape(path.suffix)}$")
    found = []
    folder = path.parent / BACKUP_DIR
    for p in folder.iterdir() if folder.is_dir() else ():
        m = pattern.match(p.name)
        if m:
            found.append(((m.group(1), int(m.group(2) or 0)), p))
    return sorted(found)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` survive a power cut."""
    if os.name != "posix":
        return  # Windows cannot open a directory; its rename is durable once it returns
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
