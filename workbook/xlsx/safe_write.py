"""The workbook file on disk: is it usable, is someone else holding it, and replacing it safely.

A write goes to a temp file beside the target (same file system, so the rename is atomic), is
fsynced, checked, and renamed over the target; then the directory is fsynced so the rename itself
survives a power cut. A crash at any moment leaves the old file or the new one, never half of one.
The previous file is kept in ``.track-xls-backups/`` beside it.

As Excel does: a symlink is followed (the lock, the Office lock files, the temp file, the backup and
the rename are all beside the real file, and the link stays a link); a read-only file is refused;
the new file keeps the old one's mode, owner and group (as far as the OS lets this user); the lock
file can be taken by every user who can read the folder.
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

from ..core.errors import Busy, NotWritable, OpenInApp
from .safety import check_kind

BACKUP_DIR = ".track-xls-backups"
LOCK_WAIT = 30.0  # seconds a command waits for another track-xls command on the same file



def real_file(path: str | Path) -> Path:
    """The file a path names once every symlink is followed: where it is written and locked."""
    return Path(os.path.realpath(path))


def check_not_open(path: str | Path) -> None:
    """OpenInApp when Excel or LibreOffice has the file open (their lock files sit beside it,
    beside the real file when it was opened through a symlink or the link when through the link)."""
    path = Path(path)
    for name in dict.fromkeys((path, real_file(path))):
        excel = name.with_name("~$" + name.name)
        office = name.with_name(f".~lock.{name.name}#")
        for lock, app in ((excel, "excel"), (office, "libreoffice")):
            if lock.exists():
                raise OpenInApp(path.name, app, lock.name)


def check_writable(path: str | Path) -> None:
    """NotWritable for a file marked read-only (no write permission for anyone, as the Windows
    read-only attribute shows on Unix) or that this user may not write: Excel opens it read-only."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & 0o222 or not os.access(path, os.W_OK):
        raise NotWritable("read_only", where=path)


def check_openable(path: str | Path) -> None:
    """FileProblem for a missing or non-Excel file; LockedError when Excel or LibreOffice has it."""
    check_kind(path)
    check_not_open(path)


@contextmanager
def advisory_lock(path: str | Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold ``.name.lock`` beside the (real) file, so two track-xls commands on it run one after the
    other, whoever runs them: the lock file is made writable by all, and one that is not is taken
    read-only (a lock needs no write access).

    The lock file is removed when the holder is done (whether its command worked or failed); a
    waiter that then gets the lock on the removed file sees it is gone and takes a fresh one.
    """
    path = Path(path)
    real = real_file(path)
    lock = real.with_name(f".{real.name}.lock")
    deadline = time.monotonic() + wait
    while True:
        fd = _open_lock(lock, path)
        if _try_lock(fd) and _same_file(fd, lock):
            break
        os.close(fd)
        if time.monotonic() > deadline:
            raise Busy(path.name, wait)
        time.sleep(0.05)
    try:
        yield
    finally:
        try:
            lock.unlink()  # still held: nobody can take this file's lock in between
        except OSError:
            pass  # Windows keeps an open file: it stays, harmless, and is reused next time
        os.close(fd)  # closing releases the lock


def _open_lock(lock: Path, path: Path) -> int:
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            os.fchmod(fd, 0o666)  # past the umask: the next user of a shared folder takes it too
        except (AttributeError, OSError):  # Windows, or a file system without modes
            pass
        return fd
    except FileExistsError:
        pass
    except OSError as exc:
        raise NotWritable("cannot_lock", where=path, reason=exc.strerror) from exc
    for flags in (os.O_RDWR, os.O_RDONLY):
        try:
            return os.open(lock, flags)
        except PermissionError:
            continue
        except OSError as exc:
            raise NotWritable("cannot_lock", where=path, reason=exc.strerror) from exc
    raise NotWritable("cannot_lock", where=path, reason=os.strerror(13))


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
    path = real_file(path)
    pattern = re.compile(rf"\.{re.escape(path.stem)}\.[0-9a-f]{{8}}\.tmp{re.escape(path.suffix)}$")
    for leftover in path.parent.iterdir():
        if pattern.match(leftover.name):
            leftover.unlink(missing_ok=True)


def replace_file(path: str | Path, write: Callable[[BinaryIO], None], check: Callable[[Path], None],
                 backups: int = 5) -> None:
    """Write a new version of ``path`` with ``write``, ``check`` it, keep a backup, then swap it in.

    Nothing is left behind on any error: the temp file is removed and ``path`` is untouched.
    """
    path = real_file(path)
    check_writable(path)
    tmp = temp_name(path)
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        keep_owner(path, tmp)
        check(tmp)
        if backups > 0:
            keep_backup(path, backups)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def keep_owner(old: Path, new: Path) -> None:
    """Give ``new`` the mode, owner and group of ``old``, as far as this user may: another user's
    file in a shared folder keeps its group (a user may give a file a group they belong to)."""
    st = old.stat()
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
        for owner in ((st.st_uid, st.st_gid), (-1, st.st_gid)):
            try:
                os.chown(new, *owner)
                break
            except PermissionError:
                continue
    shutil.copymode(old, new)  # after chown, which may clear the set-id bits


def own_folder(path: Path) -> Path:
    """track-xls's folder beside ``path`` (its backups, the refresh's memory), made when missing."""
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        folder.mkdir(exist_ok=True)
        keep_owner(path.parent, folder)  # in a shared folder, shared too: the next user keeps backups
    return folder


def keep_backup(path: Path, count: int) -> Path:
    """Keep ``path`` as ``.track-xls-backups/<stem>.<YYYYmmdd-HHMMSS>[-n]<suffix>``; only ``count`` stay."""
    folder = own_folder(path)
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
    path = real_file(path)
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
