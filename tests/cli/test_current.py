"""Every writing command leaves the workbook current: after each step of a ticket's life the
computed columns and the dashboard are what a refresh would write, and the dashboard's figures
equal those recomputed from the Tickets sheet's own cells."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner

from workbook.author.template import build_template
from workbook.cli import main
from workbook.core import schema
from workbook.core.book import find_table
from workbook.core.computed import plan_current
from workbook.core.dashboard import LAYOUT, DashboardRow, Deadline, figures
from workbook.core.parse import parse_datetime, parse_priority, parse_status, text
from workbook.core.tracker import load_tracker
from workbook.xlsx.reader import read_book

NUMBER = "20240520-001"
DUE_AND_DONE = (("response", "response_due", "first_response_at"), ("assignment", "assignment_due", "assigned_at"),
                ("update", "next_update_due", None), ("resolution", "resolution_due", "resolved_at"))


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def rows_from_cells(path) -> list[DashboardRow]:
    """What the dashboard needs, read from the Tickets cells as written (not recomputed)."""
    out = []
    for _, r in find_table(read_book(path), "tickets").records():
        status = parse_status(r["status"])
        pending = [Deadline(metric, parse_datetime(r[due])) for metric, due, done in DUE_AND_DONE
                   if r[due] and status not in schema.DONE_STATUSES and (done is None or not r[done])]
        out.append(DashboardRow(text(r["ticket_no"]) or None, parse_priority(r["priority"]), status,
                                text(r["module"]) or None, text(r["assignee"]) or None,
                                parse_datetime(r["reported_at"]), parse_datetime(r["closed_at"]),
                                parse_datetime(r["resolved_at"]),
                                schema.code_of(schema.SLA_STATES, r["sla_state"]),
                                min((d.due for d in pending), default=None), tuple(pending),
                                parse_datetime(r["assigned_at"]), r["satisfaction"] or None))
    return out


def assert_current(path, now: str) -> None:
    when = datetime.strptime(now, "%Y-%m-%d %H:%M")
    book = read_book(path)
    assert not plan_current(load_tracker(book), when).changes  # nothing a refresh would change
    dashboard = book.sheet("dashboard")
    # Which pending target is past 预警阈值 is not in the cells: the about-to-breach list is left out.
    soon = LAYOUT["breach_soon"]
    for (r, c), value in figures(rows_from_cells(path), when, "zh").items():
        if soon.first_row <= r <= soon.last_row and soon.col <= c < soon.col + len(soon.headers):
            continue
        shown = dashboard.value(r, c)
        if isinstance(value, float):
            assert shown == pytest.approx(value), (r, c)
        else:
            assert (shown if shown != "" else None) == value, (r, c)


def test_after_every_step_of_a_full_lifecycle_the_workbook_is_current(tmp_path):
    path = tmp_path / "工单跟踪.xlsx"
    build_template(path, "zh")
    run("new", path, "--reporter", "张伟", "--module", "ERP", "--description", "无法下单", "--priority", "P2",
        "--now", "2024-05-20 09:00")
    assert_current(path, "2024-05-20 09:00")
    steps = [
        ("2024-05-20 09:05", ("new", path, "--reporter", "李娜", "--module", "OA", "--description", "打印机",
                              "--priority", "P4")),
        ("2024-05-20 09:10", ("assign", path, NUMBER, "--to", "周工")),
        ("2024-05-20 10:00", ("log", path, NUMBER, "--kind", "update", "已定位")),
        ("2024-05-20 10:30", ("status", path, NUMBER, "waiting", "--reason", "等截图")),
        ("2024-05-20 13:40", ("status", path, NUMBER, "in-progress")),
        ("2024-05-20 14:00", ("notify", path, NUMBER, "--kind", "progress", "--log")),
        ("2024-05-20 15:00", ("resolve", path, NUMBER, "--summary", "重启服务", "--backup-done")),
        ("2024-05-20 15:30", ("confirm", path, NUMBER, "--by", "张伟", "--rating", "4", "好了")),
        ("2024-05-20 16:00", ("close", path, NUMBER)),
        ("2024-05-21 09:00", ("reopen", path, NUMBER, "--reason", "又坏了")),
        ("2024-05-21 10:00", ("resolve", path, NUMBER, "--summary", "换了硬盘")),
        ("2024-05-21 10:30", ("close", path, NUMBER)),
        ("2024-05-22 09:00", ("review", path)),
        ("2024-06-02 09:00", ("archive", path, "--month", "2024-05")),
    ]
    for now, args in steps:
        run(*args, "--now", now)
        assert_current(path, now)
    numbers = [r["ticket_no"] for _, r in find_table(read_book(path), "tickets").records()]
    assert numbers == ["20240520-002"]  # the closed one went to the archive, and the dashboard followed
