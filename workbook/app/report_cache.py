"""What the report computed of an archive, kept beside it in ``.report-cache.json``.

An archive changes only through `track-xls archive`, yet every report read and judged all of them
again (about a second per month of 2,000 tickets). The cache keeps one archive's report rows under
a key of everything they depend on: the archive's bytes (SHA-256), the Settings that judge it, the
holidays library behind the calendar and track-xls's own source. A cache is used only when its key
matches and its body hashes to the digest it was written with; anything else (another key, a
damaged or hand-edited file) is ignored and the archive read again. A cache that cannot be written
(a read-only archive folder) is simply not kept. `track-xls archive` leaves the entry of each month
it writes, so the first report after a month end reads no archive workbook.

The file is one JSON header line {"key", "sha256" of the body}, then the body: JSON chosen by the
caller. JSON, not pickle: a file in a shared folder must never be able to run code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from datetime import date, time
from functools import cache
from pathlib import Path

from ..core.settings import Settings

CACHE = ".report-cache.json"
FORMAT = 1  # the layout of the file itself


def cache_path(archive: Path) -> Path:
    return archive.parent / CACHE


def cache_key(archive: Path, settings: Settings) -> str:
    """Everything an archive's report rows depend on, as one digest."""
    digest = hashlib.sha256(archive.read_bytes())
    digest.update(json.dumps([FORMAT, _plain(settings), _code()], sort_keys=True).encode())
    return digest.hexdigest()


def read_cached(archive: Path, key: str) -> object | None:
    """The body cached for ``archive`` under ``key``; None when there is none that can be trusted."""
    try:
        head, _, body = cache_path(archive).read_bytes().partition(b"\n")
        header = json.loads(head)
        if header.get("key") != key or header.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        return json.loads(body)
    except (OSError, ValueError, AttributeError):
        return None


def write_cached(archive: Path, key: str, body: object) -> None:
    """Keep ``body`` for ``archive`` (written aside, then renamed: a reader never sees half a file).
    Without a cache the report is only slower: a body JSON cannot hold, or a folder that cannot be
    written, leaves none."""
    try:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return
    header = json.dumps({"key": key, "sha256": hashlib.sha256(data).hexdigest()}).encode()
    target = cache_path(archive)
    temp = target.with_name(f"{CACHE}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(header + b"\n" + data)
        os.replace(temp, target)
    except OSError:
        temp.unlink(missing_ok=True)


@cache
def _code() -> list[str]:
    """track-xls's source and the holidays library's version: new code may compute other rows."""
    import holidays  # the calendar imports it anyway to judge the live tickets

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    return [digest.hexdigest(), holidays.__version__]


def _plain(value: object) -> object:
    """``value`` as JSON, the same on every run (sets and dicts in a sorted order)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return sorted(([_plain(k), _plain(v)] for k, v in value.items()), key=json.dumps)
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=json.dumps)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, time)):  # datetime is a date
        return value.isoformat()
    return value
