"""Caches kept as files beside a workbook: what a command computed, to be used again only while
everything it depends on is as it was.

A cache file is one JSON header line {"key", "sha256" of the body}, then the body: JSON chosen by
the caller. A cache is used only when its key matches and its body hashes to the digest it was
written with; anything else (another key, a damaged or hand-edited file) is ignored, and the command
computes again. A cache that cannot be written (a read-only folder, a full disk) is simply not kept.
JSON, not pickle: a file in a shared folder must never be able to run code.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


def read_cached(path: Path, key: str) -> object | None:
    """The body cached in ``path`` under ``key``; None when there is none that can be trusted."""
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        if header.get("key") != key or header.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        return json.loads(body)
    except (OSError, ValueError, AttributeError):
        return None


def write_cached(path: Path, key: str, body: object) -> None:
    """Keep ``body`` in ``path`` (written aside, then renamed: a reader never sees half a file)."""
    try:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    except (TypeError, ValueError):
        return
    header = json.dumps({"key": key, "sha256": hashlib.sha256(data).hexdigest()}).encode()
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(header + b"\n" + data)
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)


@cache
def code_version() -> list[str]:
    """track-xls's source and the holidays library's version: new code may compute other values."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    try:
        holidays = version("holidays")
    except PackageNotFoundError:  # run from a source tree without its metadata
        import holidays as library
        holidays = library.__version__
    return [digest.hexdigest(), holidays]
