"""Benchmark ``track-xls refresh`` against openpyxl and calamine on generated trackers.

    python scripts/bench_refresh.py            # 1k and 10k tickets
    python scripts/bench_refresh.py --big      # also 100k

A tracker is made as ``track-xls demo`` makes one: the template, then workbook.app.demo's tickets and
Log rows written through the file engine (~5 Log rows a ticket). Trackers are cached by size in
<tmp>/track-xls-bench. Each measurement runs in its own process on a fresh copy, so its peak RSS is
its own; times are the minimum over --repeat runs:

- first:    run_refresh on the tracker as generated (numbers, all SLA columns, dashboard written),
            split into the engine's read, load + plan, and the engine's apply
- steady:   run_refresh on the refreshed tracker ten minutes later (few cells change)
- openpyxl: openpyxl load + save, what the file engine replaces
- calamine: python-calamine reading every sheet to Python values, the floor for any refresh
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbook.xlsx.file_engine import FileEngine  # noqa: E402

NOW = datetime(2025, 11, 19, 15, 0)  # a Wednesday: the demo's tickets span the four months before
LATER = NOW + timedelta(minutes=10)
CACHE = Path(tempfile.gettempdir()) / "track-xls-bench"


def tracker(n: int) -> Path:
    """The generated tracker of ``n`` tickets (cached), as demo writes it before its refresh."""
    from workbook.app import demo
    from workbook.author.template import build_template

    path = CACHE / f"tracker-{n}.xlsx"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        tmp = path.with_name("new-" + path.name)
        build_template(tmp)
        engine = FileEngine(tmp, backups=0)
        engine.apply(demo._rows_change_set(engine, *demo.demo_rows(n, NOW, "zh")))
        tmp.rename(path)
    return path


def refreshed(n: int) -> Path:
    """The tracker of ``n`` tickets after its first refresh (cached)."""
    from workbook.core.refresh import run_refresh

    path = CACHE / f"tracker-{n}-refreshed.xlsx"
    if not path.exists():
        tmp = path.with_name("new-" + path.name)
        shutil.copy(tracker(n), tmp)
        run_refresh(FileEngine(tmp, backups=0), NOW)
        tmp.rename(path)
    return path


class TimedEngine(FileEngine):
    """A file engine that times its read and apply, to say where a refresh goes."""

    times: ClassVar[dict[str, float]] = {"read": 0.0, "apply": 0.0}  # one engine in a measuring process

    def read(self):
        start = time.perf_counter()
        book = super().read()
        self.times["read"] = time.perf_counter() - start
        return book

    def apply(self, changes) -> None:
        start = time.perf_counter()
        super().apply(changes)
        self.times["apply"] = time.perf_counter() - start


# -- one measurement, in its own process -----------------------------------------------------------

def job(kind: str, path: Path):
    """The work to time, its imports done (they count in the peak RSS, not in the seconds)."""
    if kind == "openpyxl":
        import openpyxl
        return lambda: openpyxl.load_workbook(path).save(path)
    if kind == "calamine":
        from python_calamine import CalamineWorkbook

        def read() -> None:
            workbook = CalamineWorkbook.from_path(str(path))
            for name in workbook.sheet_names:
                workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return read
    from workbook.core.refresh import run_refresh
    return lambda: run_refresh(TimedEngine(path, backups=0), NOW if kind == "first" else LATER)


def measure(kind: str, path: Path) -> dict:
    work = job(kind, path)
    start, cpu = time.perf_counter(), time.process_time()
    work()
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, **TimedEngine.times,
            "mb": peak_mb()}


def peak_mb() -> float:
    """This process's peak RSS: VmHWM where there is one, as Linux carries ru_maxrss over from the
    parent through fork and exec (a child would report the parent's peak)."""
    status = Path("/proc/self/status")
    if status.exists():
        return int(re.search(r"VmHWM:\s*(\d+) kB", status.read_text()).group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # bytes on macOS


def best_of(kind: str, source: Path, repeat: int) -> dict:
    runs = []
    with tempfile.TemporaryDirectory() as work:
        for _ in range(repeat):
            copy = Path(work) / source.name
            shutil.copy(source, copy)
            out = subprocess.run([sys.executable, __file__, "--measure", kind, str(copy)],
                                 capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout))
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", action="store_true", help="also 100k tickets")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    print("| tickets | first refresh (read + plan + apply) | steady refresh | openpyxl load + save "
          "| calamine read | first / openpyxl | first / calamine | steady / calamine |")
    print("|---|---|---|---|---|---|---|---|")
    for n in [1_000, 10_000] + ([100_000] if args.big else []):
        repeat = 1 if n >= 100_000 else args.repeat
        first = best_of("first", tracker(n), repeat)
        steady = best_of("steady", refreshed(n), repeat)
        opx = best_of("openpyxl", tracker(n), repeat)
        cal = best_of("calamine", tracker(n), repeat)
        plan = first["seconds"] - first["read"] - first["apply"]
        print(f"| {n:,} | {first['seconds']:.2f} s ({first['read']:.2f} + {plan:.2f} + {first['apply']:.2f}), "
              f"{first['mb']:.0f} MB | {steady['seconds']:.2f} s, {steady['mb']:.0f} MB "
              f"| {opx['seconds']:.2f} s, {opx['mb']:.0f} MB | {cal['seconds']:.2f} s, {cal['mb']:.0f} MB "
              f"| {first['seconds'] / opx['seconds']:.2f}x | {first['seconds'] / cal['seconds']:.1f}x "
              f"| {steady['seconds'] / cal['seconds']:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
