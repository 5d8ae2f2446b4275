"""What the report computed of an archive, kept beside it in ``.report-cache.json``.

An archive changes only through `track-xls archive`, yet every report read and judged all of them
again (about a second per month of 2,000 tickets). The cache keeps one archive's report rows under
a key of everything they depend on: the archive's bytes (SHA-256), the Settings that judge it, the
holidays library behind the calendar and track-xls's own source. A cache is used only when its key
matches and its body hashes to the digest it was written with; anything else (another key, a
damaged or hand-edited file) is ignored and the archive read again. A cache that cannot be written
(a read-only archive folder) is simply not kept. `track-xls archive` leaves the entry of each month
it writes, so the first report after a month end reads no archive workbook.

The file is kept as :mod:`workbook.app.json_cache` keeps caches.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, time
from pathlib import Path

from ..core.settings import Settings
from . import json_cache
from .json_cache import code_version

CACHE = ".report-cache.json"
FORMAT = 1  # the layout of the file itself


def cache_path(archive: Path) -> Path:
    return archive.parent / CACHE


def cache_key(archive: Path, settings: Settings) -> str:
    """Everything an archive's report rows depend on, as one digest."""
    digest = hashlib.sha256(archive.read_bytes())
    digest.update(json.dumps([FORMAT, _plain(settings), code_version()], sort_keys=True).encode())
    return digest.hexdigest()


def read_cached(archive: Path, key: str) -> object | None:
    """The body cached for ``archive`` under ``key``; None when there is none that can be trusted."""
    return json_cache.read_cached(cache_path(archive), key)


def write_cached(archive: Path, key: str, body: object) -> None:
    """Keep ``body`` for ``archive``: without a cache the report is only slower."""
    json_cache.write_cached(cache_path(archive), key, body)


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
