"""Benchmark ``track-xls`` against the goals of issue 15, as ratios from one run on the same files.

    python scripts/bench_refresh.py            # 1k and 10k tickets, the report, start-up
    python scripts/bench_refresh.py --big      # also 100k tickets (time and peak memory)

A tracker is made as ``track-xls demo`` makes one: the template, then workbook.app.demo's tickets and
Log rows written through the file engine (~5 Log rows a ticket). Trackers are cached by size in
<tmp>/track-xls-bench. Each measurement runs in its own process on a fresh copy, so its peak RSS is
its own; times are the minimum over --repeat runs, wall clock and the process's CPU seconds (on a
shared machine CPU seconds are the steadier figure):

- first:    run_refresh on the tracker as generated (numbers, all SLA columns, dashboard written),
            split into the engine's read, load + plan (with remembering what it settled), and the
            engine's apply; with its memory, as `track-xls refresh` runs it (core/settled.py)
- steady:   run_refresh ten minutes later on a tracker refreshed twice, with the memory the second
            refresh left (few cells change; the settled tickets are not read)
- whole:    the same refresh without a memory, reading the workbook whole: what a refresh costs when
            its memory no longer holds (an Excel save that rewrote every row, a month archived)
- all-open: steady, on a tracker whose tickets are all still open (nothing settles; states move on
            every refresh)
- openpyxl: openpyxl load + save, what the file engine replaces
- calamine: python-calamine reading every sheet to Python values, the floor for any refresh; read
            from each of the three files, so every ratio compares a refresh with a read of its own file
            (a refreshed tracker holds its computed columns: a larger file than the generated one)
- report:   make_report over the 10k tracker and 24 monthly archives of 2,000 tickets, on a copy of
            the folder: cold (no .report-cache.json beside the archives yet), then warm (cached by
            the cold run); CPU seconds are the main process's and its workers' (cold archives)
- start-up: ``track-xls --version`` as a command, best of ten

Goals (issue 15): steady <= 2x calamine, first and all-open <= 3x; 100k <= 8 s and <= 300 MB;
report <= 4 s; start-up <= 0.15 s.
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


def all_open(n: int) -> Path:
    """A tracker of ``n`` tickets none of which is done yet (cached), refreshed once."""
    from workbook.app import demo
    from workbook.author.template import build_template
    from workbook.core import schema
    from workbook.core.refresh import run_refresh

    path = CACHE / f"tracker-{n}-open.xlsx"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        tickets, log = demo.demo_rows(n, NOW, "zh")
        done_keys = ("resolved_at", "closed_at", "backup_done", "summary", "verification", "confirmation", "satisfaction")
        # Each ticket's Log up to its resolution (one pass: a 100k tracker has ~480k Log rows).
        log = [e for e in log if not e["ticket"].get("resolved_at") or e["time"] < e["ticket"]["resolved_at"]]
        for ticket in tickets:
            if ticket.get("resolved_at"):
                for key in done_keys:
                    ticket.pop(key, None)
                ticket["status"] = schema.STATUSES["in_progress"]("zh")
        tmp = path.with_name("new-" + path.name)
        build_template(tmp)
        engine = FileEngine(tmp, backups=0)
        engine.apply(demo._rows_change_set(engine, tickets, log))
        run_refresh(FileEngine(tmp, backups=0), NOW)
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


def settled(n: int) -> Path:
    """The refreshed tracker of ``n`` tickets refreshed again with a memory (cached with it): its
    done tickets are settled, to be left out of the next read."""
    from workbook.app.settled_file import SettledFile
    from workbook.core.refresh import run_refresh

    path = CACHE / f"tracker-{n}-settled.xlsx"
    if not path.exists():
        tmp = path.with_name("new-" + path.name)
        shutil.copy(refreshed(n), tmp)
        run_refresh(FileEngine(tmp, backups=0), NOW + timedelta(minutes=5), memory=SettledFile(tmp))
        SettledFile(tmp).path.rename(SettledFile(path).path)
        tmp.rename(path)
    return path


def with_archives(n: int, months: int = 24) -> Path:
    """The refreshed tracker of ``n`` tickets with ``months`` archive months of 2,000 tickets (cached),
    as `track-xls archive` leaves them: closed tickets with their Log rows and frozen SLA columns
    (the months of scripts/bench_report.py)."""
    import random

    from workbook.app.archive_layout import MANIFEST
    from workbook.author.archive_book import write_archive
    from workbook.core import schema
    from workbook.core.archive import file_name
    from workbook.core.report_model import months_back

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_report import PER_MONTH, month_of_tickets, rows

    folder = CACHE / f"report-{n}-{months}x{PER_MONTH}-closed"
    path = folder / "tracker.xlsx"
    if not path.exists():
        rng = random.Random(11)
        for month in months_back(f"{NOW:%Y-%m}", months + 1)[:-1]:
            tickets, log = month_of_tickets(rng, month)
            (folder / "archive" / month).mkdir(parents=True, exist_ok=True)
            name = file_name(month, "zh")
            write_archive(folder / "archive" / month / name, month, "zh", rows(schema.TICKET_COLUMNS, tickets),
                          rows(schema.LOG_COLUMNS, log))
            (folder / "archive" / month / MANIFEST).write_text(json.dumps({"month": month, "file": name}),
                                                               encoding="utf-8")
        shutil.copy(refreshed(n), path)
    return path


class TimedEngine(FileEngine):
    """A file engine that times its read and apply, to say where a refresh goes."""

    times: ClassVar[dict[str, float]] = {"read": 0.0, "apply": 0.0}  # one engine in a measuring process

    def read(self):
        start = time.perf_counter()
        book = super().read()
        self.times["read"] += time.perf_counter() - start  # (a memory that no longer holds reads twice)
        return book

    def read_known(self, known, context):
        start = time.perf_counter()
        book = super().read_known(known, context)
        self.times["read"] += time.perf_counter() - start
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
    if kind == "report":
        import holidays.countries.china  # noqa: F401  (imported by the calendar on first use)
        from workbook.app.report_run import make_report
        return lambda: make_report(path, None, LATER)
    from workbook.app.settled_file import SettledFile
    from workbook.core.refresh import run_refresh
    import holidays.countries.china  # noqa: F401  (imported by the calendar on first use)
    memory = None if kind == "whole" else SettledFile(path)
    return lambda: run_refresh(TimedEngine(path, backups=0), NOW if kind == "first" else LATER, memory=memory)


def measure(kind: str, path: Path) -> dict:
    work = job(kind, path)
    start, cpu, workers = time.perf_counter(), time.process_time(), children_cpu()
    work()
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "workers_cpu": children_cpu() - workers, **TimedEngine.times, "mb": peak_mb()}


def children_cpu() -> float:
    """CPU seconds of this process's finished children (the report's archive workers)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def peak_mb() -> float:
    """This process's peak RSS: VmHWM where there is one, as Linux carries ru_maxrss over from the
    parent through fork and exec (a child would report the parent's peak)."""
    status = Path("/proc/self/status")
    if status.exists():
        return int(re.search(r"VmHWM:\s*(\d+) kB", status.read_text()).group(1)) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # bytes on macOS


def best_of(kind: str, source: Path, repeat: int) -> dict:
    """The quickest of ``repeat`` runs, each on a fresh copy of ``source`` (and of its memory)."""
    from workbook.app.settled_file import SettledFile

    runs = []
    with tempfile.TemporaryDirectory() as work:
        for _ in range(repeat):
            copy = Path(work) / source.name
            shutil.copy(source, copy)
            memory = SettledFile(source).path
            if memory.exists():
                SettledFile(copy).path.parent.mkdir(exist_ok=True)
                shutil.copy(memory, SettledFile(copy).path)
            runs.append(run(kind, copy))
    return min(runs, key=lambda r: r["seconds"])


def report_runs(source: Path, repeat: int) -> tuple[dict, dict]:
    """The report cold (no caches beside the archives) and warm (cached by the cold run), each the best
    of ``repeat``, on a copy of the tracker's folder: the report writes its caches there."""
    cold, warm = [], []
    with tempfile.TemporaryDirectory() as work:
        for i in range(repeat):
            folder = Path(work) / str(i)
            shutil.copytree(source.parent, folder)
            cold.append(run("report", folder / source.name))
            warm.append(run("report", folder / source.name))
    return min(cold, key=lambda r: r["seconds"]), min(warm, key=lambda r: r["seconds"])


def run(kind: str, path: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--measure", kind, str(path)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def start_up(runs: int = 10) -> float:
    """``track-xls --version`` as a user runs it, best of ``runs``."""
    command = [sys.executable, "-c", "import sys; from workbook.cli import main; sys.argv[0] = 'track-xls'; main()",
               "--version"]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=Path(__file__).resolve().parent.parent)
        best = min(best, time.perf_counter() - start)
    return best


def seconds(run: dict) -> str:
    return f"{run['seconds']:.2f} s ({run['cpu']:.2f} s CPU)"


def split(run: dict) -> str:
    """A refresh's time, as read + load and plan + apply, and its peak memory."""
    plan = run["seconds"] - run["read"] - run["apply"]
    return f"{seconds(run)}: {run['read']:.2f} + {plan:.2f} + {run['apply']:.2f}, {run['mb']:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", action="store_true", help="also 100k tickets")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    print("| tickets | first refresh (read + plan + apply) | steady refresh | steady, read whole | all open, steady "
          "| openpyxl load + save | calamine read of each file (generated / steady / all open) | first / calamine "
          "| steady / calamine | read whole / calamine | all open / calamine |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in [1_000, 10_000] + ([100_000] if args.big else []):
        repeat = 1 if n >= 100_000 else args.repeat
        first = best_of("first", tracker(n), repeat)
        steady = best_of("steady", settled(n), repeat)
        whole = best_of("whole", settled(n), repeat)
        opened = best_of("steady", all_open(n), repeat)
        opx = best_of("openpyxl", tracker(n), repeat) if n < 100_000 else None
        reads = [best_of("calamine", path, repeat) for path in (tracker(n), settled(n), all_open(n))]
        openpyxl = f"{seconds(opx)}, {opx['mb']:.0f} MB" if opx else "—"  # minutes at 100k: left out

        def ratio(run: dict, cal: dict) -> str:
            return f"{run['seconds'] / cal['seconds']:.1f}x ({run['cpu'] / cal['cpu']:.1f}x CPU)"
        ratios = " | ".join(map(ratio, (first, steady, whole, opened), (*reads[:2], *reads[1:])))
        read_times = " / ".join(f"{cal['seconds']:.2f}" for cal in reads)
        print(f"| {n:,} | {split(first)} | {split(steady)} | {split(whole)} | {split(opened)} "
              f"| {openpyxl} | {read_times} s, {max(cal['mb'] for cal in reads):.0f} MB | {ratios} |", flush=True)
    cold, warm = report_runs(with_archives(10_000), args.repeat)
    print(f"\nreport, 10k tracker + 24 archives x 2,000: cold {seconds(cold)} + {cold['workers_cpu']:.2f} s CPU "
          f"in workers, {cold['mb']:.0f} MB; warm {seconds(warm)} + {warm['workers_cpu']:.2f} s CPU in workers, "
          f"{warm['mb']:.0f} MB (goal <= 4 s)")
    print(f"track-xls --version: {start_up():.3f} s (goal <= 0.15 s)")


if __name__ == "__main__":
    main()
