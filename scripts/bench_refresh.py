"""Benchmark the file engine against openpyxl on generated trackers.

    python scripts/bench_refresh.py            # 1k and 10k tickets
    python scripts/bench_refresh.py --big      # also 100k

For each size it generates a 35-column tracker (schema headers, an Excel table, drop-down validation,
a conditional format, frozen header) and measures, each in a fresh subprocess so peak RSS is its own:

- engine:   FileEngine read (read_book: safety scan + calamine) + apply of a change set writing the 7
            computed columns of every row (patch, write, fsync, verify by re-reading, backup)
- openpyxl: openpyxl load + save (what the engine replaces)
- calamine: bare calamine read of every sheet to Python values

Times are the minimum over ``--repeat`` runs (the machine is noisy: compare ratios).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import xlsxwriter  # noqa: E402

from workbook import schema  # noqa: E402
from workbook.book import BookData  # noqa: E402
from workbook.cells import col_letter  # noqa: E402
from workbook.changeset import ChangeSet  # noqa: E402

SHEET = schema.SHEETS["tickets"].zh
COLUMNS = schema.TICKET_COLUMNS
COL = {c.key: i for i, c in enumerate(COLUMNS)}
START = datetime(2024, 1, 2, 9, 0)


def build_changes(book: BookData) -> ChangeSet:
    """The change set a refresh writes: the 7 computed columns of every ticket row.

    The one place to swap for the real refresh (workbook.refresh) once it lands.
    """
    changes = ChangeSet()
    rows = book.sheets[SHEET].rows
    for r in range(1, len(rows)):
        reported = rows[r][COL["reported_at"]]
        if not isinstance(reported, datetime):
            continue
        late = r % 5 == 0
        changes.set(SHEET, r, COL["response_due"], reported + timedelta(minutes=15))
        changes.set(SHEET, r, COL["assignment_due"], reported + timedelta(minutes=10))
        changes.set(SHEET, r, COL["next_update_due"], reported + timedelta(hours=2))
        changes.set(SHEET, r, COL["resolution_due"], reported + timedelta(hours=4))
        changes.set(SHEET, r, COL["sla_state"], "超时" if late else "正常")
        changes.set(SHEET, r, COL["breached"], "响应、解决" if late else None)
        changes.set(SHEET, r, COL["review_needed"], "是" if late else "否")
    return changes


def make_tracker(path: Path, rows: int) -> None:
    wb = xlsxwriter.Workbook(str(path))
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws = wb.add_worksheet(SHEET)
    for c, column in enumerate(COLUMNS):
        ws.set_column(c, c, column.width, when if column.kind is schema.Kind.DATETIME else None)
    for i in range(rows):
        reported = START + timedelta(minutes=37 * i)
        ws.write_string(i + 1, COL["ticket_no"], f"{reported:%Y%m%d}-{i % 999 + 1:03d}")
        ws.write_datetime(i + 1, COL["reported_at"], reported, when)
        ws.write_string(i + 1, COL["reporter"], f"用户{i % 97}")
        ws.write_string(i + 1, COL["department"], "销售部")
        ws.write_string(i + 1, COL["contact"], f"138{i:08d}")
        ws.write_string(i + 1, COL["channel"], "电话")
        ws.write_string(i + 1, COL["module"], "销售模块V3.2")
        ws.write_string(i + 1, COL["category"], "软件")
        ws.write_string(i + 1, COL["description"], f"第{i}号问题：订单页面打开缓慢，偶发超时")
        ws.write_string(i + 1, COL["impact"], "销售一部")
        ws.write_string(i + 1, COL["priority"], f"P{i % 4 + 1}")
        ws.write_string(i + 1, COL["status"], "处理中" if i % 3 else "已关闭")
        ws.write_string(i + 1, COL["assignee"], f"工程师{i % 7}")
        ws.write_datetime(i + 1, COL["first_response_at"], reported + timedelta(minutes=9), when)
        ws.write_datetime(i + 1, COL["assigned_at"], reported + timedelta(minutes=8), when)
    ws.add_table(0, 0, rows, len(COLUMNS) - 1, {"name": "Tickets", "columns": [{"header": c.label.zh} for c in COLUMNS]})
    ws.data_validation(1, COL["priority"], rows, COL["priority"], {"validate": "list", "source": ["P1", "P2", "P3", "P4"]})
    red = wb.add_format({"bg_color": "#FFC7CE"})
    ws.conditional_format(1, 0, rows, len(COLUMNS) - 1,
                          {"type": "formula", "criteria": f'=${col_letter(COL["sla_state"])}2="超时"', "format": red})
    ws.freeze_panes(1, 0)
    wb.close()


# -- one measurement, in its own process -----------------------------------------------------------

def measure(kind: str, path: Path) -> dict:
    start = time.perf_counter()
    if kind == "engine":
        from workbook.file_engine import FileEngine
        engine = FileEngine(path)
        book = engine.read()
        read = time.perf_counter()
        changes = build_changes(book)
        applied = time.perf_counter()
        engine.apply(changes)
        result = {"read": read - start, "apply": time.perf_counter() - applied, "cells": len(changes)}
    elif kind == "openpyxl":
        import openpyxl
        openpyxl.load_workbook(path).save(path)
        result = {}
    elif kind == "calamine":
        from python_calamine import CalamineWorkbook
        workbook = CalamineWorkbook.from_path(str(path))
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        result = {}
    else:
        raise SystemExit(f"unknown measurement {kind}")
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return result


def run(kind: str, source: Path, work: Path, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        target = work / f"{kind}{source.suffix}"
        shutil.copy(source, target)
        out = subprocess.run([sys.executable, __file__, "--measure", kind, str(target)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", action="store_true", help="also 100k tickets")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    sizes = [1_000, 10_000] + ([100_000] if args.big else [])
    print(f"{'tickets':>8} | {'engine total':>12} | {'read':>6} | {'apply':>6} | {'engine MB':>9} | {'openpyxl':>8} | "
          f"{'openpyxl MB':>11} | {'calamine':>8} | {'openpyxl/engine':>15} | {'engine/calamine':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for n in sizes:
            source = work / f"tracker-{n}.xlsx"
            make_tracker(source, n)
            repeat = 1 if n >= 100_000 else args.repeat
            engine = run("engine", source, work, repeat)
            opx = run("openpyxl", source, work, repeat)
            cal = run("calamine", source, work, repeat)
            print(f"{n:>8} | {engine['seconds']:>10.2f} s | {engine['read']:>4.2f} s | {engine['apply']:>4.2f} s | "
                  f"{engine['peak_mb']:>9.0f} | {opx['seconds']:>6.2f} s | {opx['peak_mb']:>11.0f} | "
                  f"{cal['seconds']:>6.2f} s | {opx['seconds'] / engine['seconds']:>14.1f}x | "
                  f"{engine['seconds'] / cal['seconds']:>14.1f}x", flush=True)


if __name__ == "__main__":
    main()
