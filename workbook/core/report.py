"""The monthly report, computed: every ticket (tracker and archives) in, titled plain tables out.

:mod:`workbook.app.report_frame` reads every ticket into a DataFrame, one row per ticket;
:func:`build_report` is pure (frame, reviews, Settings, calendar, month and now in; a JSON-able
Report out); :mod:`workbook.author.report_book` authors the workbook.

Which tickets each figure covers, for month M with cut-off C (the end of M, or now when earlier):

- volumes and recurring problems: tickets reported in M;
- SLA met / breached, MTTA, MTTR, satisfaction: tickets done whose 解决时间 (else 关闭时间) is in M,
  judged on their final times;
- open-breached and backlog: tickets open at C (reported before C, not resolved before C), judged
  as they stood at C (what happened later is not known yet);
- reopens: status changes logged in M from 已解决/已关闭 back to an open status.

Compliance = met / (met + breached + open-breached): a target an open ticket has already missed
counts against the month. "All targets" judges a ticket on all its targets at once. MTTA = 报修时间 →
分派时间 in minutes, MTTR = 报修时间 → 解决时间 in hours, each on the 24x7 clock and on the business
calendar (working time only). Median and p90 interpolate linearly between the nearest values, as
Excel's MEDIAN and PERCENTILE.INC do. Tickets without a readable priority count in volumes only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime

import pandas as pd

from . import schema
from .calendar import BusinessCalendar
from .report_model import (AGE_BUCKETS, BLANK, OVERALL, REVIEW_STATES, TITLES, Chart, Report, ReportColumn, ReportTable,
                           h, month_range, months_back)
from .reviews import Need, Review
from .settings import Settings
from .sla import Rules, TicketTimes

TREND_MONTHS = 12
TOP_RECURRING = 10
ALL = "overall"  # the pseudo-metric: every target of a ticket at once


# -- one month ------------------------------------------------------------------------------------------

Judge = Callable[[list[tuple[TicketTimes, datetime]]], list[tuple[str, ...]]]  # (inputs, now) -> missed metrics


def judge_here(settings: Settings, calendar: BusinessCalendar) -> Judge:
    """The missed metrics of each ticket at its moment, one after the other in this process."""
    rules = Rules(settings, calendar)
    return lambda jobs: [rules.evaluate(times, now).breached for times, now in jobs]


class Month:
    """The tickets behind one month's figures, and their SLA breaches, each computed once.

    The open tickets are judged as they stood at the cut-off by :meth:`judge`, given every month's
    outcomes at once (from one batch of SLA evaluations, which the caller may spread over processes).
    """

    def __init__(self, frame: pd.DataFrame, reopens: pd.DataFrame, month: str, now: datetime, settings: Settings):
        self.month, self.settings = month, settings
        self.start, self.end = month_range(month)
        self.cut = min(self.end, now)
        f = frame
        self.reported = f[(f.reported_at >= self.start) & (f.reported_at < self.end)]
        self.resolved = f[f.done & (f.resolved_at >= self.start) & (f.resolved_at < self.end)]
        self.open = f[(f.reported_at < self.cut) & ~(f.resolved_at < self.cut) & ~(f.done & f.resolved_at.isna())]
        # (priority, missed metrics) of each judged ticket: plain lists, as every SLA table reads them
        self.final = [(p, b) for p, b in zip(self.resolved.priority.tolist(), self.resolved.final.tolist())
                      if b is not None]
        self.at_cut: list[tuple[str, tuple[str, ...]]] = []
        self.reopens = reopens[(reopens.when >= self.start) & (reopens.when < self.end)]

    def jobs(self) -> list[tuple[TicketTimes, datetime]]:
        """The open tickets to judge, as they stood at the cut-off."""
        return [(_as_of(t, self.cut), self.cut) for t in self.open["times"].tolist() if t is not None]

    def judge(self, outcomes: Iterator[tuple[str, ...]]) -> None:
        """Take the outcomes of :meth:`jobs`, in order."""
        self.at_cut = [(p, next(outcomes)) for p, t in zip(self.open.priority.tolist(), self.open["times"].tolist())
                       if t is not None]

    def sla_counts(self, priority: str | None, metric: str) -> tuple[int, int, int]:
        """(met, breached, open-breached) of the priority's tickets (every priority when None)."""
        def judged(breaches: list[tuple[str, tuple[str, ...]]]) -> list[tuple[str, ...]]:
            return [b for p, b in breaches if (priority is None or p == priority)
                    and (metric == ALL or self.settings.target(p, metric) is not None)]

        def missed(breached: tuple[str, ...]) -> bool:
            return bool(breached) if metric == ALL else metric in breached

        done, still_open = judged(self.final), judged(self.at_cut)
        breached = sum(map(missed, done))
        return len(done) - breached, breached, sum(map(missed, still_open))

    def compliance(self, priority: str | None = None, metric: str = ALL) -> float | None:
        met, breached, open_breached = self.sla_counts(priority, metric)
        return _share(met, met + breached + open_breached)


def _as_of(times: TicketTimes, cut: datetime) -> TicketTimes:
    """A ticket as it stood at ``cut``: later events are not known yet, so it is still open."""
    def seen(when: datetime | None) -> datetime | None:
        return when if when is not None and when < cut else None

    known = (times.first_response_at, times.assigned_at, *times.updates, *(w for pause in times.pauses for w in pause))
    if not times.done and times.resolved_at is None and all(when is None or when < cut for when in known):
        return times  # nothing after the cut: it stood then as it stands, no copy needed
    return replace(times, first_response_at=seen(times.first_response_at), assigned_at=seen(times.assigned_at),
                   resolved_at=None, updates=tuple(u for u in times.updates if u < cut),
                   pauses=tuple((s, seen(e)) for s, e in times.pauses if s < cut), done=False)


def _reopen_events(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per reopening: the ticket's number and priority, and when."""
    reopened = frame[frame.reopens.map(len) > 0]
    rows = [(n, p, when) for n, p, times in zip(reopened.number, reopened.priority, reopened.reopens) for when in times]
    return pd.DataFrame(rows, columns=["number", "priority", "when"]).astype({"when": "datetime64[ns]"})


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median(values: pd.Series, scale: float = 1) -> float | None:
    return _quantile(values, 0.5, scale)


def _quantile(values: pd.Series, q: float, scale: float = 1) -> float | None:
    values = values.dropna()
    return float(values.quantile(q)) / scale if len(values) else None


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


# -- the report -----------------------------------------------------------------------------------------

def build_report(frame: pd.DataFrame, reviews: list[Review], needs: list[Need], settings: Settings,
                 calendar: BusinessCalendar, month: str, now: datetime, lang: str,
                 judge: Judge | None = None) -> Report:
    reopens = _reopen_events(frame)
    trend = [Month(frame, reopens, k, now, settings) for k in months_back(month, TREND_MONTHS)]
    outcomes = iter((judge or judge_here(settings, calendar))([job for m in trend for job in m.jobs()]))
    for m in trend:
        m.judge(outcomes)
    m = trend[-1]  # the report's month ends the trend
    todo = _reviews_todo(reviews, needs, now, lang)
    tables = [_overview(m, len(todo), lang)]
    tables += [_sla(m, metric, lang) for metric in (*schema.METRICS, ALL)]
    tables += [_times(m, "mtta", 1, lang), _times(m, "mttr", 60, lang)]
    tables += [_volume(m, key, lang) for key in ("channel", "module", "category", "department")]
    tables += [_recurring(m, lang), _reopened(m, lang), _satisfaction(m, lang), _backlog(m, lang)]
    tables += _reviews_tables(todo, lang)
    tables.append(_trend(trend, lang))
    return Report(month, lang, now, m.cut, tables)


def _priorities(lang: str) -> list[tuple[str | None, str]]:
    """(priority or None for the total, row label)."""
    return [(p, p) for p in schema.PRIORITIES] + [(None, h("total", lang))]


def _summary(m: Month) -> dict[str, object]:
    """The month's headline figures, shared by the overview and the trend."""
    return {"month": m.month, "reported": len(m.reported), "resolved": len(m.resolved), "open": len(m.open),
            "compliance": m.compliance(), "mtta": _median(m.resolved.mtta_business),
            "mttr": _median(m.resolved.mttr_business, 60), "reopens": len(m.reopens),
            "satisfaction": _mean(m.resolved.satisfaction)}


_FORMATS = {"month": "text", "reported": "int", "resolved": "int", "open": "int", "compliance": "percent",
            "mtta": "minutes", "mttr": "hours", "reopens": "int", "satisfaction": "decimal", "reviews_due": "int"}


def _overview(m: Month, reviews_due: int, lang: str) -> ReportTable:
    values = _summary(m) | {"reviews_due": reviews_due}
    columns = [ReportColumn(k, h(k, lang), _FORMATS[k]) for k in _FORMATS if k != "month"]
    return ReportTable("overview", "overview", TITLES["overview"](lang), columns,
                 [[values[c.key] for c in columns]])


def _sla(m: Month, metric: str, lang: str) -> ReportTable:
    name = OVERALL(lang) if metric == ALL else schema.METRICS[metric](lang)
    rows = []
    for priority, label in _priorities(lang):
        met, breached, open_breached = m.sla_counts(priority, metric)
        rows.append([label, met, breached, open_breached, _share(met, met + breached + open_breached)])
    columns = [ReportColumn("priority", h("priority", lang), "text"), *(ReportColumn(k, h(k, lang)) for k in
               ("met", "breached", "open_breached")), ReportColumn("compliance", h("compliance", lang), "percent")]
    return ReportTable(f"sla_{metric}", "sla", TITLES["sla"](lang).format(metric=name), columns, rows,
                 [Chart("col", ("compliance",), percent=True)])


def _times(m: Month, name: str, scale: float, lang: str) -> ReportTable:
    """Median and p90 per priority on both clocks; ``scale`` turns minutes into the table's unit."""
    rows = []
    for priority, label in _priorities(lang):
        rows_p = m.resolved if priority is None else m.resolved[m.resolved.priority == priority]
        wall, business = rows_p[f"{name}_wall"], rows_p[f"{name}_business"]
        rows.append([label, int(wall.count()), _median(wall, scale), _quantile(wall, 0.9, scale),
                     _median(business, scale), _quantile(business, 0.9, scale)])
    fmt = "minutes" if name == "mtta" else "hours"
    keys = ("median_wall", "p90_wall", "median_business", "p90_business")
    columns = [ReportColumn("priority", h("priority", lang), "text"), ReportColumn("count", h("count", lang)),
               *(ReportColumn(k, h(k, lang), fmt) for k in keys)]
    return ReportTable(name, "sla", TITLES[name](lang), columns, rows, [Chart("col", keys)])


def _volume(m: Month, key: str, lang: str) -> ReportTable:
    counts = m.reported[key].replace("", BLANK(lang)).value_counts()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    total = len(m.reported)
    header = schema.column("tickets", key).label(lang)
    columns = [ReportColumn(key, header, "text"), ReportColumn("count", h("count", lang)),
               ReportColumn("share", h("share", lang), "percent")]
    return ReportTable(f"volume_{key}", "volume", TITLES["volume"](lang).format(column=header), columns,
                 [[name, int(n), _share(int(n), total)] for name, n in ordered], [Chart("bar", ("count",))])


def _recurring(m: Month, lang: str) -> ReportTable:
    """Module/category pairs reported at least the Settings' recurring count of times in the month."""
    least = max(m.settings.recurring_count, 2)
    rows = m.reported[m.reported.module != ""]
    counts = rows.groupby(["module", "category"]).size()
    top = sorted(((k, int(n)) for k, n in counts.items() if n >= least), key=lambda item: (-item[1], item[0]))
    columns = [ReportColumn("problem", h("problem", lang), "text"), ReportColumn("module", h("module", lang), "text"),
               ReportColumn("category", h("category", lang), "text"), ReportColumn("count", h("count", lang))]
    body = [[" / ".join(x for x in (module, category) if x), module, category, n]
            for (module, category), n in top[:TOP_RECURRING]]
    title = TITLES["recurring"](lang).format(count=least, top=TOP_RECURRING)
    return ReportTable("recurring", "volume", title, columns, body, [Chart("bar", ("count",))])


def _reopened(m: Month, lang: str) -> ReportTable:
    rows = []
    for priority, label in _priorities(lang):
        events = m.reopens if priority is None else m.reopens[m.reopens.priority == priority]
        rows.append([label, len(events), events.number.nunique()])
    columns = [ReportColumn("priority", h("priority", lang), "text"), ReportColumn("events", h("events", lang)),
               ReportColumn("tickets", h("tickets", lang))]
    return ReportTable("reopens", "quality", TITLES["reopens"](lang), columns, rows,
                       [Chart("col", ("events", "tickets"))])


def _satisfaction(m: Month, lang: str) -> ReportTable:
    ratings = m.resolved.satisfaction.dropna()
    counts = [int((ratings == r).sum()) for r in range(1, 6)]
    rows = [[f"{r}★", n, _share(n, len(ratings))] for r, n in zip(range(1, 6), counts)]
    columns = [ReportColumn("rating", h("rating", lang), "text"), ReportColumn("count", h("count", lang)),
               ReportColumn("share", h("share", lang), "percent")]
    return ReportTable("satisfaction", "quality", TITLES["satisfaction"](lang), columns, rows,
                       [Chart("col", ("count",))])


def _backlog(m: Month, lang: str) -> ReportTable:
    age = (m.cut - m.open.reported_at) / pd.Timedelta(days=1)
    rows = []
    for low, high, label in AGE_BUCKETS:
        inside = (age >= low) & (age < high) if high is not None else age >= low
        per = [int((inside & (m.open.priority == p)).sum()) for p in schema.PRIORITIES]
        rows.append([label(lang), *per, int(inside.sum())])
    columns = [ReportColumn("age", h("age", lang), "text"), *(ReportColumn(p, p) for p in schema.PRIORITIES),
               ReportColumn("total", h("total", lang))]
    title = TITLES["backlog"](lang).format(cut=f"{m.cut:%Y-%m-%d %H:%M}")
    return ReportTable("backlog", "quality", title, columns, rows, [Chart("stacked", schema.PRIORITIES)])


def _reviews_todo(reviews: list[Review], needs: list[Need], now: datetime, lang: str) -> list[list[object]]:
    """[tickets, reason, owner, due date, state code] of every review not finished."""
    join = schema.LIST_SEPARATOR(lang).join
    todo = [[join(n.numbers), n.reason, n.owner, None, "unrecorded"] for n in needs]
    pending = sorted((r for r in reviews if not r.done), key=lambda r: (r.due is None, r.due, r.row))
    for r in pending:
        state = "overdue" if r.due is not None and r.due < now.date() else "pending"
        todo.append([join(r.numbers), r.reason, r.owner, r.due, state])
    return todo


def _reviews_tables(todo: list[list[object]], lang: str) -> list[ReportTable]:
    counts = [[label(lang), sum(1 for row in todo if row[-1] == code)] for code, label in REVIEW_STATES.items()]
    summary = ReportTable("reviews_summary", "reviews", TITLES["reviews_summary"](lang),
                          [ReportColumn("state", h("state", lang), "text"), ReportColumn("count", h("count", lang))],
                          counts, [Chart("col", ("count",))])
    columns = [ReportColumn(k, h(k, lang), "text") for k in ("ticket_nos", "reason", "owner")]
    columns += [ReportColumn("due_date", h("due_date", lang), "date"), ReportColumn("state", h("state", lang), "text")]
    rows = [[*row[:-1], REVIEW_STATES[row[-1]](lang)] for row in todo]
    return [summary, ReportTable("reviews_due", "reviews", TITLES["reviews_due"](lang), columns, rows)]


def _trend(months: list[Month], lang: str) -> ReportTable:
    keys = ("month", "reported", "resolved", "open", "compliance", "mttr", "satisfaction")
    columns = [ReportColumn(k, h(k, lang), _FORMATS[k]) for k in keys]
    # A month without a ticket (before the tracker was used) is blank, not 0: a chart leaves a gap.
    rows = [[s[k] if k == "month" or s["reported"] or s["resolved"] or s["open"] else None for k in keys]
            for s in map(_summary, months)]
    charts = [Chart("line", ("reported", "resolved", "open")), Chart("line", ("compliance",), percent=True)]
    return ReportTable("trend", "trend", TITLES["trend"](lang).format(count=len(months)), columns, rows, charts)
