"""Rules a tracker's rows must follow, as findings that name sheet, cell, rule and reason.

One rule list for ``check`` and ``refresh``: ``check`` lists every finding and exits 1; ``refresh``
lists the same findings and still computes every row. A finding is *incomplete* when the row's SLA
state cannot be known from it (unreadable or missing report time, priority or status, a future
time, a number malformed or used twice): refresh marks that row 待补全 / Needs Fix instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import chain
from typing import Iterable

from . import schema
from .book import Table, filled, typed
from .cells import a1
from .messages import say
from .numbering import is_well_formed
from .parse import text
from .schema import Label
from .tickets import TIME_KEYS, Ticket

INCOMPLETE_RULES = frozenset({"date", "future_date", "date_range", "priority", "status", "number_format",
                              "duplicate_number"})
# Without these no SLA state can be told; other required fields are findings all the same.
INCOMPLETE_REQUIRED = frozenset({"reported_at", "priority", "status"})
REQUIRED_KEYS = tuple(c.key for c in schema.TICKET_COLUMNS if c.required)
# The required fields read only as text: the others are tested through their parsed value.
REQUIRED_TEXT = tuple(key for key in REQUIRED_KEYS if key not in TIME_KEYS and key not in ("priority", "status"))
# Clocks drift and people round: a time up to this far ahead of now is not "in the future".
FUTURE_TOLERANCE = timedelta(minutes=5)
# No help desk has a ticket from before this (the first year a bare serial is taken for a date):
# a time before it is a typo, and deadlines computed from it fall before the dates Excel stores.
EARLIEST = datetime(1990, 1, 1)
# (later, earlier): a time that must not come before another
TIME_ORDER = (
    ("first_response_at", "reported_at"),
    ("assigned_at", "reported_at"),
    ("resolved_at", "reported_at"),
    ("closed_at", "resolved_at"),
)
STATUS_NAMES = Label(zh="/".join(label.zh for label in schema.STATUSES.values()),
                     en="/".join(label.en for label in schema.STATUSES.values()))


@dataclass(frozen=True)
class Finding:
    sheet: str
    cell: str
    rule: str
    message: str
    row: int = field(default=-1, compare=False)  # 0-based sheet row
    key: str = field(default="", compare=False)  # the column's schema key
    # what the message says, a Label where that depends on the language: to tell it in another one
    values: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def incomplete(self) -> bool:
        return self.rule in INCOMPLETE_RULES or (self.rule == "required" and self.key in INCOMPLETE_REQUIRED)

    def line(self) -> str:
        return f"{self.sheet}!{self.cell}: [{self.rule}] {self.message}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "rule": self.rule, "message": self.message}

    def told(self, lang: str) -> Finding:
        """This finding of :func:`check_tickets` with its message in ``lang``: the rows are checked
        once, in the workbook's language, when the user asks for the findings in the other one."""
        return replace(self, message=_message(self.rule, lang, self.values))


class _Collector:
    def __init__(self, table: Table, lang: str):
        self.table, self.lang, self.found = table, lang, []

    def add(self, ticket: Ticket, key: str, rule: str, **values) -> None:
        column = self.table.columns.get(key, 0)
        finding = Finding(self.table.name, a1(ticket.row, column), rule, _message(rule, self.lang, values),
                          ticket.row, key, values)
        self.found.append(((ticket.row, column), finding))

    def missing(self, ticket: Ticket, key: str) -> None:
        self.add(ticket, key, "required", header=self.header(key))

    def header(self, key: str) -> Label:
        return schema.column("tickets", key).label


def _message(rule: str, lang: str, values: dict[str, object]) -> str:
    return say(rule, lang, **{k: v(lang) if isinstance(v, Label) else v for k, v in values.items()})


def check_tickets(table: Table, tickets: list[Ticket], now: datetime, lang: str,
                  reserved: Iterable[str] = (), lists: dict[str, dict[str, str | None]] | None = None) -> list[Finding]:
    """Every problem in the Tickets rows, in row order; ``lists`` (see
    :func:`workbook.core.normalize.choice_lists`) are the spellings each list column accepts."""
    out = _Collector(table, lang)
    # Each check goes over all the rows in turn: the findings are then sorted by cell, stably, so a
    # cell's own keep the order of the checks.
    latest = now + FUTURE_TOLERANCE
    for ticket in tickets:
        _check_values(out, ticket, now, latest)
    _check_choices(out, tickets, lists or {})
    for ticket in tickets:
        _check_process(out, ticket)
    _check_numbers(out, tickets, set(reserved))
    return [finding for _, finding in sorted(out.found, key=lambda item: item[0])]


def _check_values(out: _Collector, t: Ticket, now: datetime, latest: datetime) -> None:
    # Each test looks at the parsed value first and at the cell only when it has to: this runs on
    # every row at every refresh. A field that parsed was filled; one that did not is empty or bad.
    raw, times = t.raw, t.times
    for key in REQUIRED_TEXT:
        if not filled(raw.get(key)):
            out.missing(t, key)
    for key in TIME_KEYS:
        value = times.get(key)
        if value is None:
            if filled(raw.get(key)):
                out.add(t, key, "date", header=out.header(key), value=raw.get(key))
            elif key in REQUIRED_KEYS:
                out.missing(t, key)
        elif value < EARLIEST:
            out.add(t, key, "date_range", header=out.header(key), value=f"{value:%Y-%m-%d}",
                    earliest=f"{EARLIEST:%Y-%m-%d}")
        elif value > latest:
            out.add(t, key, "future_date", header=out.header(key), value=f"{value:%Y-%m-%d %H:%M}",
                    now=f"{now:%Y-%m-%d %H:%M}")
    if t.priority is None:
        if filled(raw.get("priority")):
            out.add(t, "priority", "priority", value=raw.get("priority"))
        else:
            out.missing(t, "priority")
    if t.status is None:
        if filled(raw.get("status")):
            out.add(t, "status", "status", value=raw.get("status"), allowed=STATUS_NAMES)
        else:
            out.missing(t, "status")
    if (t.satisfaction is None or not 1 <= t.satisfaction <= 5) and filled(raw.get("satisfaction")):
        out.add(t, "satisfaction", "satisfaction", value=raw.get("satisfaction"))


def _check_choices(out: _Collector, tickets: list[Ticket], lists: dict[str, dict[str, str | None]]) -> None:
    """Values a list column's list lacks. Each distinct value is looked up once (their texts differ
    for 1 and True): a column holds a handful of spellings."""
    for key, spellings in lists.items():
        cells = typed([t.raw.get(key) for t in tickets])
        unlisted = {cell: value for cell in set(cells)
                    if (value := text(cell[1])) and spellings.get(schema.fold(value)) is None}
        if unlisted:
            allowed = "/".join(dict.fromkeys(e for e in spellings.values() if e))
            for t, cell in zip(tickets, cells):
                if cell in unlisted:
                    out.add(t, key, "choice", header=out.header(key), value=unlisted[cell], allowed=allowed)


def _check_process(out: _Collector, t: Ticket) -> None:
    raw, times = t.raw, t.times
    for later, earlier in TIME_ORDER:
        a, b = times.get(later), times.get(earlier)
        if a and b and a < b:
            out.add(t, later, "time_order", header=out.header(later), before=out.header(earlier),
                    value=f"{a:%Y-%m-%d %H:%M}", other=f"{b:%Y-%m-%d %H:%M}")
    if t.status == "closed":
        if not filled(raw.get("summary")):
            out.add(t, "summary", "closed_without_summary")
        if times.get("resolved_at") is None and not filled(raw.get("resolved_at")):
            out.add(t, "resolved_at", "closed_without_resolution")
    if t.priority in ("P1", "P2") and t.done and t.backup_done is not True:
        out.add(t, "backup_done", "backup_required", priority=t.priority)
    if t.satisfaction is not None and not filled(raw.get("confirmation")):
        out.add(t, "confirmation", "rating_without_confirmation")
    if filled(raw.get("vendor_contact")) and not filled(raw.get("lead_department")) \
            and "lead_department" in out.table.columns:
        out.add(t, "lead_department", "lead_department")


def _check_numbers(out: _Collector, tickets: list[Ticket], reserved: set[str]) -> None:
    """Malformed numbers, and every row of a number used twice (neither can be told apart)."""
    rows: dict[str, list[Ticket]] = {}
    for t in tickets:
        if t.number:
            rows.setdefault(t.number, []).append(t)
    column = out.table.columns["ticket_no"]
    for t in tickets:
        if not t.number:
            continue
        if not is_well_formed(t.number):
            out.add(t, "ticket_no", "number_format", value=t.number)
        elif len(rows[t.number]) > 1:
            others = ", ".join(a1(o.row, column) for o in rows[t.number] if o is not t)
            out.add(t, "ticket_no", "duplicate_number", value=t.number, other=others)
        elif t.number in reserved:
            out.add(t, "ticket_no", "duplicate_number", value=t.number, other=schema.SHEETS["archive_index"])


def calendar_years(tickets: Iterable[Ticket], now: datetime, settled: Iterable[datetime | None] = ()) -> list[int]:
    """The years whose holidays the tickets' deadlines need (a typo decades back needs none);
    ``settled``: the report times of tickets not read (see core/settled.py)."""
    reported = chain((t.times.get("reported_at") for t in tickets), settled)
    return sorted({when.year for when in reported if when is not None and when >= EARLIEST} | {now.year})
