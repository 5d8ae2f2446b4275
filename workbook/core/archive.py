"""Month-end archive, the pure part: which closed tickets move, their rows as plain values, the
tracker's change set, the summary and the manifest. :mod:`workbook.app.archive_store` does the I/O.

A ticket moves when its status is 已关闭 and its 关闭时间 falls in a chosen month. Its row keeps
every column of the tracker's layout (user columns too) and its Log rows go with it; the computed
SLA columns are frozen as evaluated at archive time, so a ticket closed since the last refresh is
archived with final values. Its number goes into the 归档索引 sheet, so it is never reused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from . import schema
from .book import Table, Value, find_table
from .cells import a1
from .changeset import ChangeSet
from .errors import InputError
from .limits import check_text, unstorable
from .parse import parse_priority, text
from .computed import computed_columns, keep_current
from .validation import check_tickets
from .schema import Label
from .tracker import Tracker

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FILE_STEM = Label("工单归档", "tickets-archive")
SUMMARY_SHEET = Label("月度汇总", "Summary")
SUMMARY_TITLE = Label("{month} 归档汇总", "Archive summary {month}")
SUMMARY_HEADERS = (Label("优先级", "Priority"), Label("工单数", "Tickets"), Label("达标", "SLA met"),
                   Label("超时完成", "Done late"))
STATUS_HEADERS = (Label("状态", "Status"), Label("工单数", "Tickets"))
TOTAL = Label("合计", "Total")


def wanted_months(month: str | None, all_before: str | None, now: datetime) -> Callable[[str], bool]:
    """Which closing months to archive: one month (default: now's), or every month before one."""
    if all_before:
        limit = month_index(all_before)
        return lambda m: month_index(m) < limit
    chosen = month or f"{now:%Y-%m}"
    return lambda m: m == chosen


def parse_month(value: str) -> str:
    """'YYYY-MM' as given, or ValueError."""
    if not MONTH.match(value.strip()):
        raise ValueError(f"{value!r}: expected a month as YYYY-MM, e.g. 2024-05")
    return value.strip()


def month_index(month: str) -> int:
    """Months since year 0, so two months can be subtracted."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def file_name(month: str, lang: str) -> str:
    return f"{FILE_STEM(lang)}_{month}.xlsx"


@dataclass(frozen=True)
class Extra:
    """What a cell carries beyond its value, read from the package: a hyperlink target, a note
    (and its author), rich text as (text, font attributes) runs."""

    link: str | None = None
    note: str | None = None
    note_author: str | None = None
    runs: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()


class Row(list):
    """A row of values that also carries its cells' extras, by header."""

    def __init__(self, values=(), extras: dict[str, Extra] | None = None):
        super().__init__(values)
        self.extras = extras or {}


@dataclass
class ArchiveRows:
    """A sheet's named columns and rows of plain values, as the archive workbook holds them."""

    headers: list[str]
    rows: list[list[Value]] = field(default_factory=list)

    def find(self, column: schema.Column) -> int | None:
        return next((i for i, h in enumerate(self.headers) if column.label.matches(h)), None)

    def values(self, column: schema.Column) -> list[Value]:
        i = self.find(column)
        return [row[i] if i is not None and i < len(row) else None for row in self.rows]


@dataclass
class MonthPlan:
    month: str
    file: str  # the archive workbook as the 归档索引 sheet records it
    numbers: list[str]  # tickets moving now, sorted
    tickets: ArchiveRows
    log: ArchiveRows
    sources: tuple[list[int], list[int]] = ([], [])  # the tracker rows of tickets and of log rows


@dataclass
class ArchivePlan:
    months: list[MonthPlan]
    changes: ChangeSet  # rows leaving the tracker, numbers entering the archive index
    skipped: list[tuple[str, dict]] = field(default_factory=list)  # (message key, values)


# -- selection --------------------------------------------------------------------------------------

def plan_archive(tracker: Tracker, wanted: Callable[[str], bool], now: datetime,
                 index_file: Callable[[str], str]) -> ArchivePlan:
    """Closed tickets whose closing month is ``wanted``, grouped by month.

    ``index_file(month)`` is the archive file's path as the 归档索引 sheet records it.
    """
    chosen, skipped = _select(tracker, wanted)
    if not chosen:
        return ArchivePlan([], ChangeSet(), skipped)
    frozen = _frozen_sla(tracker, [t for moving in chosen.values() for t in moving], now)
    tickets_layout = layout(tracker.tickets_table, tracker.lang)
    log_layout = layout(tracker.log_table, tracker.lang)
    months = []
    for month in sorted(chosen):
        moving = sorted(chosen[month], key=lambda t: t.number)
        numbers = [t.number for t in moving]
        rows = [_row(tracker.tickets_table, tickets_layout, t.row, frozen.get(t.row, {})) for t in moving]
        log_sources = log_rows_of(tracker, set(numbers))
        log_rows = [_row(tracker.log_table, log_layout, r, {}) for r in log_sources]
        months.append(MonthPlan(month, index_file(month), numbers, ArchiveRows(_names(tickets_layout), rows),
                                ArchiveRows(_names(log_layout), log_rows), ([t.row for t in moving], log_sources)))
    entries = [(n, m.month, m.file) for m in months for n in m.numbers]
    changes = keep_current(tracker, tracker_changes(tracker, entries, _index_table(tracker)), now)
    return ArchivePlan(months, changes, skipped)


def _select(tracker: Tracker, wanted: Callable[[str], bool]) -> tuple[dict[str, list], list[tuple[str, dict]]]:
    table = tracker.tickets_table
    seen = Counter(t.number for t in tracker.tickets if t.number)
    chosen: dict[str, list] = {}
    skipped = []
    unfit = _unstorable(tracker)
    for ticket in tracker.tickets:
        if ticket.status != "closed":
            continue
        closed = ticket.time("closed_at")
        cell = f"{table.name}!{table.cell(ticket.row, 'ticket_no')}"
        if closed is None:
            skipped.append(("archive_no_closed_at", {"cell": f"{table.name}!{table.cell(ticket.row, 'status')}"}))
        elif not wanted(f"{closed:%Y-%m}"):
            continue
        elif not ticket.number:
            skipped.append(("archive_no_number", {"cell": cell}))
        elif seen[ticket.number] > 1:
            skipped.append(("archive_duplicate", {"cell": cell, "number": ticket.number}))
        elif ticket.number in tracker.reserved:
            skipped.append(("archive_already", {"cell": cell, "number": ticket.number}))
        elif ticket.number in unfit:
            skipped.append(("archive_unstorable", unfit[ticket.number]))
        else:
            chosen.setdefault(f"{closed:%Y-%m}", []).append(ticket)
    return chosen, skipped


def _unstorable(tracker: Tracker) -> dict[str, dict]:
    """Number -> the first of its cells (its row's or its Log rows') an archive could not hold
    whole: such a ticket stays, rather than be archived cut short."""
    out: dict[str, dict] = {}
    for table, key in ((tracker.tickets_table, "ticket_no"), (tracker.log_table, "ticket_no")):
        for r, c, value in unstorable(table):
            number = text(table.sheet.value(r, table.columns[key]))
            finding = check_text(value, tracker.lang)
            out.setdefault(number, {"cell": f"{table.name}!{a1(r, c)}", "reason": finding})
    return out


def _frozen_sla(tracker: Tracker, tickets: list, now: datetime) -> dict[int, dict[int, Value]]:
    """Ticket row -> {column: value} of the computed columns of ``tickets`` as evaluated now."""
    table = tracker.tickets_table
    findings = check_tickets(table, tracker.tickets, now, tracker.lang, tracker.reserved)
    out: dict[int, dict[int, Value]] = {}
    for row, computed in computed_columns(tracker, tickets, now, findings).items():
        out[row] = {table.columns[k]: v for k, v in computed.values.items() if k in table.columns}
    return out


# -- rows as plain values ------------------------------------------------------------------------------

def layout(table: Table | None, lang: str) -> list[tuple[int, str]]:
    """(column, header) of every named column of a table's header row, the user's own columns too;
    the schema's Log columns when the tracker has no Log sheet."""
    if table is None:
        return [(i, c.header(lang)) for i, c in enumerate(schema.LOG_COLUMNS)]
    header = table.sheet.rows[table.header_row]
    return [(c, text(v)) for c, v in enumerate(header) if text(v)]


def _names(columns: list[tuple[int, str]]) -> list[str]:
    return [name for _, name in columns]


def _row(table: Table, columns: list[tuple[int, str]], row: int, overlay: dict[int, Value]) -> list[Value]:
    return [overlay[c] if c in overlay else table.sheet.value(row, c) for c, _ in columns]


def log_rows_of(tracker: Tracker, numbers: set[str]) -> list[int]:
    table = tracker.log_table
    if table is None:
        return []
    return [r for r, record in table.records() if text(record.get("ticket_no")) in numbers]


def tracker_changes(tracker: Tracker, entries: list[tuple[str, str, str]], index: Table) -> ChangeSet:
    """Remove the rows of the archived numbers from Tickets and Log, and append each number not yet
    in the 归档索引 sheet as (number, month, file) (a number lost from it is written back too).

    Planned from the tracker as it is, so recovery after a crash computes exactly what is left to do.
    """
    numbers = {number for number, _, _ in entries}
    changes = ChangeSet()
    tickets = tracker.tickets_table
    for ticket in tracker.tickets:
        if ticket.number in numbers:
            changes.remove_row(tickets.name, ticket.row)
    for r in log_rows_of(tracker, numbers):
        changes.remove_row(tracker.log_table.name, r)
    row = index.end_row
    for entry in entries:
        if entry[0] in tracker.indexed:
            continue
        for key, value in zip(("ticket_no", "month", "file"), entry):
            if key in index.columns:
                changes.set(index.name, row, index.columns[key], value)
        row += 1
    return changes


def _index_table(tracker: Tracker) -> Table:
    index = find_table(tracker.book, "archive_index", required=False)
    if index is None:
        headers = " | ".join(c.header(tracker.lang) for c in schema.ARCHIVE_INDEX_COLUMNS)
        raise InputError("missing_index", lang=tracker.lang, sheet=schema.SHEETS["archive_index"], headers=headers)
    return index


# -- the month's workbook ---------------------------------------------------------------------------------

def merge(old: ArchiveRows, new: ArchiveRows, sheet: str, replaced: set[str]) -> ArchiveRows:
    """Old rows (less those of ``replaced`` numbers) and the new ones in one layout: the tracker's
    columns first, then any only the old file had. Ordered by ticket number, Log rows then by time.
    """
    headers = new.headers + [h for h in old.headers if h not in new.headers]
    number = schema.column(sheet, "ticket_no")
    kept = [r for r, n in zip(old.rows, old.values(number)) if text(n) not in replaced]
    merged = ArchiveRows(headers, [_relayout(old.headers, r, headers) for r in kept]
                  + [_relayout(new.headers, r, headers) for r in new.rows])
    keys = [merged.find(number)] + ([merged.find(schema.column("log", "time"))] if sheet == "log" else [])
    merged.rows.sort(key=lambda r: tuple(text(r[i]) for i in keys if i is not None))
    return merged


def _relayout(headers: list[str], row: list[Value], target: list[str]) -> Row:
    by_name = dict(zip(headers, row))
    return Row([by_name.get(h) for h in target], getattr(row, "extras", None))


def summary_rows(tickets: ArchiveRows, month: str, lang: str) -> list[list[Value]]:
    """The summary sheet: tickets per priority with SLA met / done late, then per status."""
    priorities = [parse_priority(v) for v in tickets.values(schema.column("tickets", "priority"))]
    states = [schema.code_of(schema.SLA_STATES, v) for v in tickets.values(schema.column("tickets", "sla_state"))]
    statuses = Counter(text(v) for v in tickets.values(schema.column("tickets", "status")))
    rows: list[list[Value]] = [[SUMMARY_TITLE(lang).format(month=month)], [], [h(lang) for h in SUMMARY_HEADERS]]
    for p in (*schema.PRIORITIES, None):
        picked = [s for q, s in zip(priorities, states) if p is None or q == p]
        rows.append([p or TOTAL(lang), len(picked), picked.count("met"), picked.count("met_late")])
    rows += [[], [h(lang) for h in STATUS_HEADERS]]
    rows += [[status, count] for status, count in sorted(statuses.items())]
    return rows


def manifest(month: str, name: str, tickets: ArchiveRows, log: ArchiveRows, sha256: str, source: str,
             written_at: str) -> dict:
    numbers = sorted(text(v) for v in tickets.values(schema.column("tickets", "ticket_no")))
    return {"month": month, "file": name, "tickets": numbers, "ticket_count": len(numbers),
            "log_rows": len(log.rows), "sha256": sha256, "written_at": written_at, "source": source}


# -- retention ------------------------------------------------------------------------------------------

def expired(months: list[str], now: datetime, retention_months: int) -> list[str]:
    """Months whose archive has been kept ``retention_months`` full months past the month's end."""
    current = now.year * 12 + now.month - 1
    return sorted(m for m in months if current - month_index(m) > retention_months)
