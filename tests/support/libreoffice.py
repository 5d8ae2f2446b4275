"""Run LibreOffice headless to convert a workbook, as an independent second opinion on our files.

Each call gets its own user profile: two soffice processes sharing one profile block each other,
and a profile left by a crashed run must not break the next test.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TIMEOUT = 120  # seconds; a first start builds the profile and can take a while

needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")


def convert(path: str | Path, fmt: str, outdir: str | Path, expect: str | None = "") -> Path:
    """Convert ``path`` to ``fmt`` ("xlsx", "pdf", ...) in ``outdir``; the converted file's path
    (``expect=None``: the caller finds the files, e.g. one CSV per sheet)."""
    path, outdir = Path(path), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="lo-"))  # a profile of its own: conversions may run at once
    try:
        result = subprocess.run(
            ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", fmt, "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=TIMEOUT)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / f"{path.stem}.{fmt.split(':')[0]}"
    if result.returncode != 0 or (expect is not None and not out.exists()):
        raise RuntimeError(f"soffice could not convert {path} to {fmt} (exit {result.returncode}): "
                           f"{result.stdout}{result.stderr}")
    return out


def sheet_as_csv(path: str | Path, sheet: int, outdir: str | Path) -> Path:
    """LibreOffice's own rendering of the ``sheet``-th sheet (1-based) as UTF-8 CSV, cells as shown."""
    path = Path(path)
    # Filter options: comma, quote, UTF-8, from line 1, -, -, quote text, save as shown, ..., sheet.
    options = f"44,34,76,1,,0,false,true,false,false,false,{sheet}"
    convert(path, f"csv:Text - txt - csv (StarCalc):{options}", outdir, expect=None)
    found = sorted(Path(outdir).glob(f"{path.stem}-*.csv"))
    if len(found) != 1:
        raise RuntimeError(f"soffice wrote {found} for sheet {sheet} of {path}")
    return found[0]
