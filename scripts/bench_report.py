"""Benchmark `track-xls report`: 24 monthly archives of 2,000 closed tickets each, plus a 10,000-ticket tracker.

    python scripts/bench_report.py [DIR]

The data is generated once into DIR (default: track-xls-bench-report in the temp folder) and reused
by later runs. The live tracker is the demo's (10,000 tickets over 120 days, refreshed); each
archive is a month of closed tickets with their Log rows, written by the archive's own writer with
a manifest, as `track-xls archive` leaves it. Then the report of the current month is made the way
the command makes it (read everything, compute, write the workbook) and the seconds are printed.
Target: under 10 s.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbook.core import schema  # noqa: E402
from workbook.core.archive import ArchiveRows, file_name  # noqa: E402
from workbook.author.archive_book import write_archive  # noqa: E402
from workbook.app.demo import ENGINEERS, MODULES, PEOPLE, PRIORITY_WEIGHTS, make_demo  # noqa: E402
from workbook.core.log import status_change_text  # noqa: E402
from workbook.app.report_run import make_report  # noqa: E402
from workbook.author.report_book import write_report  # noqa: E402
from workbook.core.report_model import month_range, months_back  # noqa: E402
from workbook.core.calendar import BusinessCalendar  # noqa: E402
from workbook.core.settings import LISTS, defaults  # noqa: E402
from workbook.core.sla import TicketTimes, evaluate  # noqa: E402

NOW = datetime(2024, 6, 20, 17, 0)
ARCHIVE_MONTHS, PER_MONTH, LIVE = 24, 2000, 10_000
LANG = "zh"
SETTINGS = defaults()
CALENDAR = BusinessCalendar.from_settings(SETTINGS)
SCALE = {"P1": 1, "P2": 3, "P3": 12, "P4": 30}  # how slow each priority is, in the demo's proportions


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "track-xls-bench-report"
    tracker = folder / "工单跟踪.xlsx"
    if not (folder / "done").exists():
        started = time.perf_counter()
        generate(folder)
        print(f"generated {ARCHIVE_MONTHS} x {PER_MONTH} archived + {LIVE} live tickets in {folder} "
              f"({time.perf_counter() - started:.0f} s)")
    started, cpu = time.perf_counter(), cpu_seconds()
    report = make_report(tracker, None, NOW)
    computed = time.perf_counter()
    write_report(report, folder / "report.xlsx")
    done = time.perf_counter()
    print(f"report {report.month}: read + compute {computed - started:.2f} s, write {done - computed:.2f} s, "
          f"total {done - started:.2f} s (CPU {cpu_seconds() - cpu:.1f} s in all processes, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")


def cpu_seconds() -> float:
    """CPU time of this process and its finished workers: steadier than wall time on a busy machine."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def generate(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    make_demo(folder, LANG, LIVE, NOW)
    rng = random.Random(11)
    before = months_back(f"{NOW:%Y-%m}", ARCHIVE_MONTHS + 1)[:-1]
    for month in before:
        tickets, log = month_of_tickets(rng, month)
        month_dir = folder / "archive" / month
        month_dir.mkdir(parents=True, exist_ok=True)
        name = file_name(month, LANG)
        write_archive(month_dir / name, month, LANG, rows(schema.TICKET_COLUMNS, tickets), rows(schema.LOG_COLUMNS, log))
        (month_dir / "manifest.json").write_text(json.dumps({"month": month, "file": name, "ticket_count": len(tickets)}))
    (folder / "done").write_text("")


def month_of_tickets(rng: random.Random, month: str) -> tuple[list[dict], list[dict]]:
    """PER_MONTH tickets closed in ``month``, numbered from serial 501 so they never meet the demo's."""
    start, end = month_range(month)
    tickets, log, serials = [], [], {}
    for i in range(PER_MONTH):
        reported = start + (end - start - timedelta(days=3)) * i / PER_MONTH
        reported = reported.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59))
        day = f"{reported:%Y%m%d}"
        serials[day] = serials.get(day, 500) + 1
        ticket, events = closed_ticket(rng, f"{day}-{serials[day]:03d}", reported)
        tickets.append(ticket)
        log.extend(events)
    return tickets, log


def closed_ticket(rng: random.Random, number: str, reported: datetime) -> tuple[dict, list[dict]]:
    priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
    late = 4 if rng.random() < 0.12 else 1
    step = [timedelta(minutes=rng.randint(2, 12) * SCALE[priority] * late) for _ in range(3)]
    responded, assigned = reported + step[0], reported + step[0] + step[1]
    resolved = assigned + step[2] * rng.randint(3, 10)
    closed = resolved + timedelta(hours=rng.randint(1, 30))
    engineer = rng.choice(ENGINEERS[LANG])
    ticket = {
        "ticket_no": number, "reported_at": reported, "reporter": rng.choice(PEOPLE[LANG]),
        "department": rng.choice(LISTS["department"][1])(LANG), "channel": rng.choice(schema.CHANNELS)(LANG),
        "module": rng.choice(MODULES[LANG]), "category": rng.choice(schema.CATEGORIES)(LANG),
        "description": "问题描述", "priority": priority, "status": schema.STATUSES["closed"](LANG),
        "assignee": engineer, "first_response_at": responded, "assigned_at": assigned, "resolved_at": resolved,
        "closed_at": closed, "backup_done": schema.YES(LANG), "summary": "已处理", "confirmation": "已确认",
        "satisfaction": rng.choice([3, 4, 4, 5, 5, 5]),
    }
    path = [("new", "assigned", assigned), ("assigned", "resolved", resolved), ("resolved", "closed", closed)]
    if rng.random() < 0.03:  # a few are reopened once before they close
        path[2:] = [("resolved", "in_progress", resolved + timedelta(minutes=30)),
                    ("in_progress", "resolved", resolved + timedelta(hours=1)), ("resolved", "closed", closed)]
    sla = evaluate(TicketTimes(priority, reported, responded, assigned, resolved, done=True), SETTINGS, CALENDAR, closed)
    # frozen as `track-xls archive` freezes them: the SLA columns as evaluated when the ticket was archived
    ticket |= {"sla_state": schema.SLA_STATES[sla.state](LANG),
               "breached": schema.LIST_SEPARATOR(LANG).join(schema.METRICS[m](LANG) for m in sla.breached) or None}
    events = [{"ticket_no": number, "time": when, "author": engineer, "kind": schema.LOG_KINDS["status_change"](LANG),
               "text": status_change_text(old, new, LANG)} for old, new, when in path]
    return ticket, events


def rows(columns, records: list[dict]) -> ArchiveRows:
    return ArchiveRows([c.header(LANG) for c in columns], [[r.get(c.key) for c in columns] for r in records])


if __name__ == "__main__":
    main()
