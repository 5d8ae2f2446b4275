"""The Dashboard sheet, made for a wall screen: where each block lives, its labels, and the figures
refresh writes.

Pure: no workbook here. The template writes :func:`static_cells` once, styles the cells named by
:data:`LAYOUT`, :data:`KPI_CELLS` and :func:`number_formats`, and anchors native charts on the figure
cells; refresh writes :func:`figures` as plain cell values, so the charts stay live without being
rewritten.

Layout (0-based rows; a block is a title row, a header row, then its body; left blocks start in
column A, right blocks in column H, the charts sit from column N)::

    row  0  看板 title;  row 1  更新时间 | <now>
    row  3  key figures as tiles: overdue, at risk, new today, closed today, open (values in row 4)
    row  6  about to breach (ticket, metric, time left)  | overdue (ticket, metric, overdue by)
    row 16  this month against last month                | backlog by age
    row 24  open tickets: priority x status              | SLA compliance this month, with the target
    row 32  open tickets per assignee, top 10

Figures cover the tickets in the tracker: once a month is archived, its closed tickets leave the
month comparison (the monthly report reads the archives too).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean, median
from typing import NamedTuple

from . import schema
from .book import Value
from .report_model import AGE_BUCKETS
from .schema import Label

Cell = tuple[int, int]  # 0-based (row, col)


@dataclass(frozen=True)
class Deadline:
    """One pending SLA deadline of an open ticket."""

    metric: str  # a key of schema.METRICS
    due: datetime
    at_risk: bool = False  # the share of the target used has reached 预警阈值


class DashboardRow(NamedTuple):
    """What the dashboard needs of one ticket; refresh builds these from the Tickets sheet (a tuple,
    not a frozen dataclass: one made per ticket on every refresh)."""

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
    deadlines: tuple[Deadline, ...] = ()  # every deadline still pending
    assigned_at: datetime | None = None
    satisfaction: float | None = None


@dataclass(frozen=True)
class Block:
    row: int  # the title row; the header is the next row, the body starts after it
    title: Label
    headers: tuple[Label, ...]
    body_rows: int
    col: int = 0  # the first column

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
LIST_ROWS = 7  # tickets shown in the about-to-breach and overdue lists
TOP_ASSIGNEES = 10
DEFAULT_TARGET = 0.95  # 达标目标 when Settings has none

KPIS = {
    "overdue": schema.SLA_STATES["overdue"],
    "at_risk": schema.SLA_STATES["at_risk"],
    "new_today": Label("今日新增", "New today"),
    "closed_today": Label("今日关闭", "Closed today"),
    "open": Label("未完成合计", "Open in total"),
}
KPI_ROW = 3  # labels; the values sit one row below
KPI_CELLS: dict[str, Cell] = {key: (KPI_ROW + 1, i) for i, key in enumerate(KPIS)}

MONTH_FIGURES = {  # this month against last: key -> (label, number format)
    "done": (Label("完成工单", "Tickets done"), "0"),
    "mtta": (Label("MTTA中位数（分钟）", "MTTA median (min)"), "0"),
    "mttr": (Label("MTTR中位数（小时）", "MTTR median (h)"), "0.0"),
    "compliance": (Label("SLA达标率", "SLA compliance"), "0%"),
    "satisfaction": (Label("满意度均值", "Satisfaction"), "0.0"),
}
CHANGE_FORMATS = {"0": "+0;-0;0", "0.0": "+0.0;-0.0;0.0", "0%": "+0%;-0%;0%"}

TITLE = Label("工单看板", "Ticket Dashboard")
UPDATED_AT = Label("更新时间", "Updated at")
UNASSIGNED = Label("（未分派）", "(unassigned)")
DAYS, HOURS, MINUTES = Label("{n}天", "{n} d"), Label("{n}小时", "{n} h"), Label("{n}分", "{n} min")
_PRIORITY = schema.column("tickets", "priority").label
_ASSIGNEE = schema.column("tickets", "assignee").label
_TICKET = schema.column("tickets", "ticket_no").label
_METRIC = Label("指标", "Metric")
RIGHT = 7  # H: the right-hand blocks
CHART_COL = 13  # N: charts sit right of the blocks

LAYOUT = {
    "breach_soon": Block(6, Label("即将超时", "About to breach"),
                         (_TICKET, _METRIC, Label("剩余时间", "Time left"), _ASSIGNEE), LIST_ROWS),
    "overdue": Block(6, Label("已超时", "Overdue"),
                     (_TICKET, _METRIC, Label("已超时", "Overdue by"), _ASSIGNEE), LIST_ROWS, RIGHT),
    "months": Block(16, Label("本月与上月", "This month against last"),
                    (_METRIC, Label("本月", "This month"), Label("上月", "Last month"), Label("变化", "Change")),
                    len(MONTH_FIGURES)),
    "backlog": Block(16, Label("未完成工单账龄", "Backlog by age"),
                     (Label("账龄", "Age"), Label("工单数", "Tickets")), len(AGE_BUCKETS), RIGHT),
    "grid": Block(24, Label("未完成工单：优先级 × 状态", "Open tickets: priority × status"),
                  (_PRIORITY, *(schema.STATUSES[s] for s in OPEN_STATUSES), TOTAL), len(schema.PRIORITIES) + 1),
    "compliance": Block(24, Label("本月SLA达标率（本月完成的工单）", "SLA compliance this month (tickets done)"),
                        (_PRIORITY, Label("本月完成", "Done"), schema.SLA_STATES["met"],
                         Label("达标率", "Compliance"), Label("目标", "Target")), len(schema.PRIORITIES) + 1, RIGHT),
    "workload": Block(32, Label("负责人未完成工单（前10）", "Open tickets per assignee (top 10)"),
                      (_ASSIGNEE, Label("未完成", "Open")), TOP_ASSIGNEES),
}
TITLE_CELL: Cell = (0, 0)
UPDATED_CELL: Cell = (1, 1)  # the label sits left of it
LAST_ROW = LAYOUT["workload"].last_row


def static_cells(lang: str) -> dict[Cell, str]:
    """The labels the template writes once: titles, headers and row labels."""
    cells: dict[Cell, str] = {TITLE_CELL: TITLE(lang), (UPDATED_CELL[0], UPDATED_CELL[1] - 1): UPDATED_AT(lang)}
    for key, (row, col) in KPI_CELLS.items():
        cells[(row - 1, col)] = KPIS[key](lang)
    for block in LAYOUT.values():
        cells[(block.row, block.col)] = block.title(lang)
        for c, header in enumerate(block.headers):
            cells[(block.header_row, block.col + c)] = header(lang)
    for block in (LAYOUT["grid"], LAYOUT["compliance"]):
        for i, label in enumerate((*schema.PRIORITIES, TOTAL(lang))):
            cells[(block.first_row + i, block.col)] = label
    for i, (label, _) in enumerate(MONTH_FIGURES.values()):
        cells[(LAYOUT["months"].first_row + i, 0)] = label(lang)
    for i, (_, _, label) in enumerate(AGE_BUCKETS):
        cells[(LAYOUT["backlog"].first_row + i, RIGHT)] = label(lang)
    return cells


def number_formats() -> dict[Cell, str]:
    """Formats of the figure cells that are not plain counts."""
    formats = {UPDATED_CELL: "yyyy-mm-dd hh:mm"}
    compliance = LAYOUT["compliance"]
    for r in range(compliance.first_row, compliance.last_row + 1):
        formats[(r, RIGHT + 3)] = formats[(r, RIGHT + 4)] = "0%"
    months = LAYOUT["months"]
    for i, (_, fmt) in enumerate(MONTH_FIGURES.values()):
        formats[(months.first_row + i, 1)] = formats[(months.first_row + i, 2)] = fmt
        formats[(months.first_row + i, 3)] = CHANGE_FORMATS[fmt]
    return formats


# -- figures ------------------------------------------------------------------------------------------

def figures(tickets: list[DashboardRow], now: datetime, lang: str,
            target: float = DEFAULT_TARGET) -> dict[Cell, Value]:
    """Every figure cell's value at ``now``; None clears a slot a shorter list no longer fills.
    ``target``: 达标目标 from Settings, drawn as the compliance chart's target line."""
    open_rows = [t for t in tickets if t.status in OPEN_STATUSES]
    cells: dict[Cell, Value] = {UPDATED_CELL: now}
    cells.update(_kpis(tickets, open_rows, now))
    cells.update(_breach_soon(open_rows, now, lang))
    cells.update(_overdue(open_rows, now, lang))
    cells.update(_months(tickets, now))
    cells.update(_backlog(open_rows, now))
    cells.update(_grid(open_rows))
    cells.update(_compliance(tickets, now, target))
    cells.update(_workload(open_rows, lang))
    return cells


def _kpis(tickets: list[DashboardRow], open_rows: list[DashboardRow], now: datetime) -> dict[Cell, Value]:
    today = now.date()
    values = {
        "overdue": sum(1 for t in open_rows if t.sla_state == "overdue"),
        "at_risk": sum(1 for t in open_rows if t.sla_state == "at_risk"),
        "new_today": sum(1 for t in tickets if t.reported_at and t.reported_at.date() == today),
        "closed_today": sum(1 for t in tickets if t.closed_at and t.closed_at.date() == today),
        "open": len(open_rows),
    }
    return {KPI_CELLS[key]: values[key] for key in KPIS}


def _list(block: Block, rows: list[tuple[Value, ...]]) -> dict[Cell, Value]:
    cells: dict[Cell, Value] = {}
    for i in range(block.body_rows):
        values = rows[i] if i < len(rows) else (None,) * len(block.headers)
        for c, value in enumerate(values):
            cells[(block.first_row + i, block.col + c)] = value
    return cells


def _breach_soon(open_rows: list[DashboardRow], now: datetime, lang: str) -> dict[Cell, Value]:
    """Deadlines still ahead whose target is used past 预警阈值, the soonest first."""
    soon = sorted(((d.due, t.number or "", d.metric, t.assignee) for t in open_rows for d in t.deadlines
                   if d.at_risk and d.due > now))
    block = LAYOUT["breach_soon"]
    rows = [(number or None, schema.METRICS[metric](lang), duration(due - now, lang), assignee)
            for due, number, metric, assignee in soon[:block.body_rows]]  # the rows the sheet shows
    return _list(block, rows)


def _overdue(open_rows: list[DashboardRow], now: datetime, lang: str) -> dict[Cell, Value]:
    """Deadlines passed and still pending, the longest overdue first."""
    late = sorted(((d.due, t.number or "", d.metric, t.assignee) for t in open_rows for d in t.deadlines
                   if d.due <= now))
    block = LAYOUT["overdue"]
    rows = [(number or None, schema.METRICS[metric](lang), duration(now - due, lang), assignee)
            for due, number, metric, assignee in late[:block.body_rows]]  # the rows the sheet shows
    return _list(block, rows)


def duration(span: timedelta, lang: str) -> str:
    """A span as a wall screen shows it: the two largest of days, hours and minutes."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    parts = [unit(lang).format(n=n) for n, unit in ((days, DAYS), (hours, HOURS), (mins, MINUTES)) if n]
    return (" " if lang == "en" else "").join(parts[:2]) or MINUTES(lang).format(n=0)


def _months(tickets: list[DashboardRow], now: datetime) -> dict[Cell, Value]:
    """This month's and last month's figures over the tickets done in each, and the change."""
    last = (now.replace(day=1) - timedelta(days=1))
    this_month, last_month = _month_figures(tickets, now), _month_figures(tickets, last)
    cells: dict[Cell, Value] = {}
    for i, key in enumerate(MONTH_FIGURES):
        row = LAYOUT["months"].first_row + i
        a, b = this_month[key], last_month[key]
        cells[(row, 1)], cells[(row, 2)] = a, b
        cells[(row, 3)] = a - b if a is not None and b is not None else None
    return cells


def _month_figures(tickets: list[DashboardRow], when: datetime) -> dict[str, float | None]:
    done = [t for t in tickets if t.status in schema.DONE_STATUSES and _in_month(t.resolved_at or t.closed_at, when)]
    mtta = [(t.assigned_at - t.reported_at).total_seconds() / 60 for t in done if t.assigned_at and t.reported_at]
    mttr = [((t.resolved_at or t.closed_at) - t.reported_at).total_seconds() / 3600 for t in done if t.reported_at]
    rated = [t.satisfaction for t in done if t.satisfaction is not None]
    judged = [t for t in done if t.sla_state in ("met", "met_late")]
    return {"done": len(done),
            "mtta": median(mtta) if mtta else None,
            "mttr": median(mttr) if mttr else None,
            "compliance": sum(t.sla_state == "met" for t in judged) / len(judged) if judged else None,
            "satisfaction": mean(rated) if rated else None}


def _backlog(open_rows: list[DashboardRow], now: datetime) -> dict[Cell, Value]:
    block = LAYOUT["backlog"]
    ages = [(now - t.reported_at).total_seconds() / 86400 for t in open_rows if t.reported_at]
    counts = [sum(1 for a in ages if a >= low and (high is None or a < high)) for low, high, _ in AGE_BUCKETS]
    return {(block.first_row + i, RIGHT + 1): n for i, n in enumerate(counts)}


def _grid(open_rows: list[DashboardRow]) -> dict[Cell, Value]:
    block = LAYOUT["grid"]
    counts = Counter((t.priority, t.status) for t in open_rows)
    table = [[counts[(p, s)] for s in OPEN_STATUSES] for p in schema.PRIORITIES]
    table = [row + [sum(row)] for row in table]
    table.append([sum(column) for column in zip(*table)])
    return {(block.first_row + i, 1 + j): n for i, row in enumerate(table) for j, n in enumerate(row)}


def _compliance(tickets: list[DashboardRow], now: datetime, target: float) -> dict[Cell, Value]:
    """Per priority: tickets done this month, how many met every target, the rate and 达标目标."""
    block = LAYOUT["compliance"]
    done = [t for t in tickets if t.status in schema.DONE_STATUSES and t.priority in schema.PRIORITIES
            and _in_month(t.resolved_at or t.closed_at, now)]
    groups = [[t for t in done if t.priority == p] for p in schema.PRIORITIES] + [done]
    cells: dict[Cell, Value] = {}
    for i, rows in enumerate(groups):
        met = sum(1 for t in rows if t.sla_state == "met")
        row = block.first_row + i
        cells[(row, RIGHT + 1)], cells[(row, RIGHT + 2)] = len(rows), met
        cells[(row, RIGHT + 3)] = met / len(rows) if rows else None  # no rate without a ticket done
        cells[(row, RIGHT + 4)] = target
    return cells


def _in_month(when: datetime | None, now: datetime) -> bool:
    return when is not None and (when.year, when.month) == (now.year, now.month)


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
