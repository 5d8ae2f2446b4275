"""Time ``track-xls export`` on the demo with its archives, into each kind of target.

    python scripts/bench_export.py                      # 10k tickets: SQLite, DuckDB, Parquet
    python scripts/bench_export.py --postgresql postgresql://me@127.0.0.1:5432/bench

The demo is made as ``track-xls demo --tickets N`` makes it (the tracker refreshed, the months before
``now`` archived), at a fixed now, and cached in <tmp>/track-xls-bench. Each export runs as its own
process, so the time includes start-up and its peak RSS is its own:

- first:  into an empty target (every row inserted)
- again:  the same workbook a minute later (nothing to write: the no-op a scheduled export mostly is)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 11, 19, 15, 0)
CACHE = Path(tempfile.gettempdir()) / "track-xls-bench"


def demo(n: int) -> Path:
    folder = CACHE / f"export-demo-{n}"
    if not (folder / "工单跟踪.xlsx").exists():
        shutil.rmtree(folder, ignore_errors=True)
        run("demo", str(folder), "--tickets", str(n), "--now", f"{NOW:%Y-%m-%d %H:%M}")
    return folder / "工单跟踪.xlsx"


def run(*args: str) -> tuple[float, float, float]:
    """``track-xls ARGS`` in a process of its own: (seconds, CPU seconds, peak RSS in MB). CPU time
    says more than wall time on a busy machine."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", "from workbook.cli import main; main()", *args], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        sys.exit(f"track-xls {' '.join(args)} failed: {process.stderr.read().decode(errors='replace')}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--postgresql", help="an empty database to export into")
    args = parser.parse_args()
    tracker = demo(args.tickets)
    out = Path(tempfile.mkdtemp(prefix="track-xls-export-"))
    targets = [str(out / "history.db"), f"duckdb:///{out / 'history.duckdb'}", f"parquet:///{out / 'history'}"]
    targets += [args.postgresql] if args.postgresql else []
    print(f"{args.tickets:,} tickets with their archives; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print("| target | first | again (no-op) |\n|---|---|---|")
    for target in targets:
        later = f"{NOW.replace(minute=1):%Y-%m-%d %H:%M}"
        first = run("export", str(tracker), "--to", target, "--now", f"{NOW:%Y-%m-%d %H:%M}")
        again = run("export", str(tracker), "--to", target, "--now", later)
        kind = target.split(":")[0] if "://" in target else "sqlite"
        print(f"| {kind} | {_shown(first)} | {_shown(again)} |")
    shutil.rmtree(out)


def _shown(measured: tuple[float, float, float]) -> str:
    return "{:.1f} s (CPU {:.1f} s), {:.0f} MB".format(*measured)


if __name__ == "__main__":
    main()
