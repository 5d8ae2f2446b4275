"""The monthly report as plain values: titled tables with typed columns and chart specs, and the
report's own bilingual vocabulary (the tracker's columns and codes come from :mod:`workbook.core.schema`).

A chart names the columns it draws; its categories are always the table's first column. The
workbook author turns these into cell ranges, so the figures and the charts cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from . import schema
from .schema import Label

SHEETS = {
    "overview": Label("概览", "Overview"),
    "sla": Label("SLA", "SLA"),
    "volume": Label("工单量", "Volumes"),
    "quality": Label("质量", "Quality"),
    "reviews": Label("复盘", "Reviews"),
    "trend": Label("趋势", "Trend"),
}

TITLES = {
    "report": Label("{month} 月度报告", "Monthly report {month}"),
    "overview": Label("关键数字", "Key figures"),
    "sla": Label("SLA达标：{metric}", "SLA compliance: {metric}"),
    "mtta": Label("MTTA 报修到分派（分钟）", "MTTA, reported to assigned (minutes)"),
    "mttr": Label("MTTR 报修到解决（小时）", "MTTR, reported to resolved (hours)"),
    "volume": Label("本月报修：按{column}", "Tickets reported by {column}"),
    "recurring": Label("重复问题（同模块同类别 ≥{count} 次，前{top}）",
                       "Recurring problems (same module and category, ≥ {count}, top {top})"),
    "reopens": Label("重新打开", "Reopened tickets"),
    "satisfaction": Label("满意度分布（1–5）", "Satisfaction (1–5)"),
    "backlog": Label("未完成工单账龄（截至 {cut}）", "Backlog age (at {cut})"),
    "reviews_summary": Label("复盘待办", "Reviews to do"),
    "reviews_due": Label("待复盘清单", "Reviews due"),
    "trend": Label("近{count}个月趋势", "Last {count} months"),
}

HEADERS = {
    "priority": schema.column("tickets", "priority").label,
    "met": Label("达标", "Met"),
    "breached": Label("超时", "Breached"),
    "open_breached": Label("未完成已超时", "Open, breached"),
    "compliance": Label("达标率", "Compliance"),
    "count": Label("工单数", "Tickets"),
    "share": Label("占比", "Share"),
    "median_wall": Label("中位数（24x7）", "Median (24x7)"),
    "p90_wall": Label("P90（24x7）", "P90 (24x7)"),
    "median_business": Label("中位数（工作时间）", "Median (business)"),
    "p90_business": Label("P90（工作时间）", "P90 (business)"),
    "problem": Label("模块 / 类别", "Module / category"),
    "module": schema.column("tickets", "module").label,
    "category": schema.column("tickets", "category").label,
    "events": Label("重开次数", "Reopens"),
    "tickets": Label("重开工单数", "Tickets reopened"),
    "rating": Label("评分", "Rating"),
    "age": Label("账龄", "Age"),
    "total": Label("合计", "Total"),
    "state": Label("状态", "State"),
    "ticket_nos": schema.column("reviews", "ticket_nos").label,
    "reason": schema.column("reviews", "reason").label,
    "owner": schema.column("reviews", "owner").label,
    "due_date": schema.column("reviews", "due_date").label,
    "month": Label("月份", "Month"),
    "reported": Label("报修", "Reported"),
    "resolved": Label("解决", "Resolved"),
    "open": Label("期末未完成", "Open at cut-off"),
    "mtta": Label("MTTA中位数（工作时间，分钟）", "MTTA median (business, min)"),
    "mttr": Label("MTTR中位数（工作时间，小时）", "MTTR median (business, h)"),
    "reopens": Label("重新打开", "Reopens"),
    "satisfaction": Label("满意度均值", "Satisfaction average"),
    "reviews_due": Label("复盘待办", "Reviews to do"),
}

OVERALL = Label("全部指标", "all targets")
BLANK = Label("（空）", "(blank)")
AGE_BUCKETS = (  # [low, high) in days of wall time since 报修时间
    (0, 1, Label("<1天", "< 1 day")),
    (1, 3, Label("1–3天", "1–3 days")),
    (3, 7, Label("3–7天", "3–7 days")),
    (7, 30, Label("7–30天", "7–30 days")),
    (30, None, Label(">30天", "> 30 days")),
)
REVIEW_STATES = {
    "unrecorded": Label("未登记", "Not recorded"),
    "pending": schema.REVIEW_STATUSES["pending"],
    "overdue": Label("已逾期", "Overdue"),
}


def h(key: str, lang: str) -> str:
    return HEADERS[key](lang)


@dataclass(frozen=True)
class ReportColumn:
    key: str
    header: str
    fmt: str = "int"  # text, int, percent (a share 0–1), minutes, hours, decimal or date


@dataclass(frozen=True)
class Chart:
    kind: str  # "col", "bar" (horizontal), "stacked" (stacked columns) or "line"
    series: tuple[str, ...]  # keys of the columns drawn
    percent: bool = False  # the values are shares: axis from 0 to 100 %


@dataclass
class ReportTable:
    key: str
    sheet: str  # a key of SHEETS
    title: str
    columns: list[ReportColumn]
    rows: list[list[object]]
    charts: list[Chart] = field(default_factory=list)

    def as_dict(self) -> dict:
        keys = [c.key for c in self.columns]
        return {"key": self.key, "sheet": self.sheet, "title": self.title,
                "columns": [{"key": c.key, "header": c.header, "format": c.fmt} for c in self.columns],
                "rows": [dict(zip(keys, map(_plain, row))) for row in self.rows],
                "charts": [{"kind": c.kind, "series": list(c.series), "percent": c.percent} for c in self.charts]}


@dataclass
class Report:
    month: str
    lang: str
    now: datetime
    cut: datetime  # the end of the month, or now when earlier
    tables: list[ReportTable]
    sources: list[str] = field(default_factory=list)  # the files read, named relative to the tracker's folder
    compliance_target: float | None = None  # 达标目标: the target line on compliance charts

    def table(self, key: str) -> ReportTable:
        return next(t for t in self.tables if t.key == key)

    def as_dict(self) -> dict:
        return {"month": self.month, "lang": self.lang, "now": _plain(self.now), "cut": _plain(self.cut),
                "sources": self.sources, "tables": [t.as_dict() for t in self.tables]}


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- months ---------------------------------------------------------------------------------------------

def month_range(month: str) -> tuple[datetime, datetime]:
    """The first moment of ``month`` ("YYYY-MM") and of the month after it."""
    year, mon = (int(x) for x in month.split("-"))
    start = datetime(year, mon, 1)
    return start, datetime(year + mon // 12, mon % 12 + 1, 1)


def months_back(month: str, count: int) -> list[str]:
    """``count`` months ending with ``month``, oldest first."""
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + mon - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]
