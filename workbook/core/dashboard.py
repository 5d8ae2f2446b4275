"""The Dashboard sheet: where each block lives, its static labels, and the figures refresh writes.

Pure: no workbook here. The template writes :func:`static_cells` once, styles the cells named by
:data:`LAYOUT` and :func:`number_formats`, and anchors native charts on the figure cells; refresh
writes :func:`figures` as plain cell values, so the charts stay live without being rewritten.

Layout (0-based rows; every block is a title row, a header row, then its body)::

    row  0  看板 title                         col H: charts, one beside each of
    row  1  更新时间 | <now>                          the grid, compliance and
    row  3  open tickets: priority x open status      workload blocks
    row 11  key figures: overdue, at risk, new / closed today, open
    row 19  this month's SLA compliance per priority
    row 27  the 5 oldest overdue tickets
    row 35  open tickets per assignee, top 10
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from . import schema
from .book import Value
from .schema import Label

Cell = tuple[int, int]  # 0-based (row, col)


@dataclass(frozen=True)
class DashboardRow:
    """What the dashboard needs of one ticket; refresh builds these from the Tickets sheet."""

    number: str | None
    priority: str | None  # "P1".."P4", None when unreadable
    status: str | None  # a code of schema.STATUSES
    module: str | None
    assignee: str | None
    reported_at: datetime | None
    closed_at: datetime | None
    resolved_at: datetime | None
    sla_state: str | None  # a code of schema.SLA_STATES
    due: datetime | None  # the earliest deadline still pending


@dataclass(frozen=True)
class Block:
    row: int  # the title row; the header is the next row, the body starts after it
    title: Label
    headers: tuple[Label, ...]
    body_rows: int

    @property
    def header_row(self) -> int:
        return self.row + 1

    @property
    def first_row(self) -> int:
        return self.row + 2

    @property
    def last_row(self) -> int:
        return self.first_row + self.body_rows - 1


OPEN_STATUSES = tuple(code for code in schema.STATUSES if code not in schema.DONE_STATUSES)
TOTAL = Label("合计", "Total")
TOP_OVERDUE = 5
TOP_ASSIGNEES = 10

KPIS = {
    "overdue": schema.SLA_STATES["overdue"],
    "at_risk": schema.SLA_STATES["at_risk"],
    "new_today": Label("今日新增", "New today"),
    "closed_today": Label("今日关闭", "Closed today"),
    "open": Label("未完成合计", "Open in total"),
}

TITLE = Label("工单看板", "Ticket Dashboard")
UPDATED_AT = Label("更新时间", "Updated at")
UNASSIGNED = Label("（未分派）", "(unassigned)")
_PRIORITY = schema.column("tickets", "priority").label
_ASSIGNEE = schema.column("tickets", "assignee").label

LAYOUT = {
    "grid": Block(3, Label("未完成工单：优先级 × 状态", "Open tickets: priority × status"),
                  (_PRIORITY, *(schema.STATUSES[s] for s in OPEN_STATUSES), TOTAL), len(schema.PRIORITIES) + 1),
    "kpi": Block(11, Label("关键数字", "Key figures"), (Label("指标", "Figure"), Label("数量", "Count")), len(KPIS)),
    "compliance": Block(19, Label("本月SLA达标率（本月完成的工单）", "SLA compliance this month (tickets done)"),
                        (_PRIORITY, Label("本月完成", "Done"), schema.SLA_STATES["met"],
                         Label("达标率", "Compliance")), len(schema.PRIORITIES) + 1),
    "overdue": Block(27, Label("最久超时工单", "Oldest overdue tickets"),
                     (schema.column("tickets", "ticket_no").label, schema.column("tickets", "module").label,
                      _ASSIGNEE, Label("截止时间", "Due")), TOP_OVERDUE),
    "workload": Block(35, Label("负责人未完成工单（前10）", "Open tickets per assignee (top 10)"),
                      (_ASSIGNEE, Label("未完成", "Open")), TOP_ASSIGNEES),
}
TITLE_CELL: Cell = (0, 0)
UPDATED_CELL: Cell = (1, 1)  # the label sits left of it
CHART_COL = 7  # H: charts sit right of the blocks


def static_cells(lang: str) -> dict[Cell, str]:
    """The labels the template writes once: titles, headers and row labels."""
    cells: dict[Cell, str] = {TITLE_CELL: TITLE(lang), (UPDATED_CELL[0], UPDATED_CELL[1] - 1): UPDATED_AT(lang)}
    for block in LAYOUT.values():
        cells[(block.row, 0)] = block.title(lang)
        for c, header in enumerate(block.headers):
            cells[(block.header_row, c)] = header(lang)
    for block in (LAYOUT["grid"], LAYOUT["compliance"]):
        for i, label in enumerate((*schema.PRIORITIES, TOTAL(lang))):
            cells[(block.first_row + i, 0)] = label
    for i, label in enumerate(KPIS.values()):
        cells[(LAYOUT["kpi"].first_row + i, 0)] = label(lang)
    return cells


def number_formats() -> dict[Cell, str]:
    """Formats of the figure cells that are not plain counts."""
    formats = {UPDATED_CELL: "yyyy-mm-dd hh:mm"}
    compliance = LAYOUT["compliance"]
    for r in range(compliance.first_row, compliance.last_row + 1):
        formats[(r, 3)] = "0%"
    overdue = LAYOUT["overdue"]
    for r in range(overdue.first_row, overdue.last_row + 1):
        formats[(r, 3)] = "yyyy-mm-dd hh:mm"
    return formats


# -- figures ------------------------------------------------------------------------------------------

def figures(tickets: list[DashboardRow], now: datetime, lang: str) -> dict[Cell, Value]:
    """Every figure cell's value at ``now``; None clears a slot a shorter list no longer fills."""
    open_rows = [t for t in tickets if t.status in OPEN_STATUSES]
    cells: dict[Cell, Value] = {UPDATED_CELL: now}
    cells.update(_grid(open_rows))
    cells.update(_kpis(tickets, open_rows, now))
    cells.update(_compliance(tickets, now))
    cells.update(_oldest_overdue(open_rows))
    cells.update(_workload(open_rows, lang))
    return cells


def _grid(open_rows: list[DashboardRow]) -> dict[Cell, Value]:
    block = LAYOUT["grid"]
    counts = Counter((t.priority, t.status) for t in open_rows)
    table = [[counts[(p, s)] for s in OPEN_STATUSES] for p in schema.PRIORITIES]
    table = [row + [sum(row)] for row in table]
    table.append([sum(column) for column in zip(*table)])
    return {(block.first_row + i, 1 + j): n for i, row in enumerate(table) for j, n in enumerate(row)}


def _kpis(tickets: list[DashboardRow], open_rows: list[DashboardRow], now: datetime) -> dict[Cell, Value]:
    today = now.date()
    values = {
        "overdue": sum(1 for t in open_rows if t.sla_state == "overdue"),
        "at_risk": sum(1 for t in open_rows if t.sla_state == "at_risk"),
        "new_today": sum(1 for t in tickets if t.reported_at and t.reported_at.date() == today),
        "closed_today": sum(1 for t in tickets if t.closed_at and t.closed_at.date() == today),
        "open": len(open_rows),
    }
    first = LAYOUT["kpi"].first_row
    return {(first + i, 1): values[key] for i, key in enumerate(KPIS)}


def _compliance(tickets: list[DashboardRow], now: datetime) -> dict[Cell, Value]:
    """Per priority: tickets done this month, how many met every target, and the rate."""
    block = LAYOUT["compliance"]
    done = [t for t in tickets if t.status in schema.DONE_STATUSES and t.priority in schema.PRIORITIES
            and _in_month(t.resolved_at or t.closed_at, now)]
    groups = [[t for t in done if t.priority == p] for p in schema.PRIORITIES] + [done]
    cells: dict[Cell, Value] = {}
    for i, rows in enumerate(groups):
        met = sum(1 for t in rows if t.sla_state == "met")
        row = block.first_row + i
        cells[(row, 1)], cells[(row, 2)] = len(rows), met
        cells[(row, 3)] = met / len(rows) if rows else None  # no rate without a ticket done
    return cells


def _in_month(when: datetime | None, now: datetime) -> bool:
    return when is not None and (when.year, when.month) == (now.year, now.month)


def _oldest_overdue(open_rows: list[DashboardRow]) -> dict[Cell, Value]:
    block = LAYOUT["overdue"]
    overdue = [t for t in open_rows if t.sla_state == "overdue"]
    # Longest overdue (earliest due) first; one late on a metric already done has no pending due: last.
    overdue.sort(key=lambda t: (t.due is None, t.due or datetime.max, t.reported_at or datetime.max))
    cells: dict[Cell, Value] = {}
    for i in range(TOP_OVERDUE):
        t = overdue[i] if i < len(overdue) else None
        values = (t.number, t.module, t.assignee, t.due) if t else (None, None, None, None)
        for c, value in enumerate(values):
            cells[(block.first_row + i, c)] = value
    return cells


def _workload(open_rows: list[DashboardRow], lang: str) -> dict[Cell, Value]:
    """Open tickets per assignee, busiest first; unassigned ones count as one more 'assignee'."""
    block = LAYOUT["workload"]
    counts = Counter((t.assignee or "").strip() or UNASSIGNED(lang) for t in open_rows)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_ASSIGNEES]
    cells: dict[Cell, Value] = {}
    for i in range(TOP_ASSIGNEES):
        name, count = top[i] if i < len(top) else (None, None)
        cells[(block.first_row + i, 0)], cells[(block.first_row + i, 1)] = name, count
    return cells
