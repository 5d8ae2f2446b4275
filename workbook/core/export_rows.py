"""What an export holds: the tracker's and its archives' sheets as typed rows, pure.

Column names are the schema's keys, so a query reads the same for a Chinese and an English tracker.
Every row carries ``archive_month`` (NULL for the live tracker) and ``source_file``.

``tickets``  one row per ticket number: every Tickets column, typed (times as timestamps, priority,
             status and SLA state as code plus ``*_label``, yes/no as booleans, satisfaction as an
             integer), then the team's own columns (named by their header, typed by what they hold),
             and ``missing_since`` (see :mod:`workbook.core.export_diff`).
``log``      one row per Log row, keyed by ticket and ``seq``, its place in the ticket's history.
``reviews``  one row per Reviews row, ``faq`` one per FAQ row, keyed by ``row_no`` (the sheet row).
``sla``      one row per ticket and metric with a target: the target's minutes and clock, the
             deadline, when it was completed, ``met`` / ``breached`` / ``open``, and the minutes its
             clock ran until completion (pauses excluded; NULL while it runs, and for the update
             target, which restarts with every update).

Each workbook is mapped on its own (:func:`map_source`; the app maps archives in worker processes),
then the parts are merged (:func:`export_rows`). A ticket number found in several workbooks is
exported once, from the first: the tracker, then the archives oldest first (a tracker still
holding an archived ticket is an archive run stopped between its two writes). Its Log rows come from
the same workbook. Archived tickets keep the SLA outcome and deadlines frozen when they were
archived, as the monthly report does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property, lru_cache

from . import schema
from .book import Table, Value
from .calendar import BusinessCalendar, clock_for
from .log import History, read_histories
from .parse import frozen_breaches, parse_datetime, parse_int, parse_priority, parse_status, text
from .computed import ticket_times
from .settings import Settings
from .sla import Rules, clock_pauses, completions, target_minutes
from .tickets import Ticket, ticket_from_record

TYPES = ("text", "integer", "real", "boolean", "timestamp", "date")
DUE_KEYS = {"response": "response_due", "assignment": "assignment_due", "update": "next_update_due",
            "resolution": "resolution_due"}
PAUSED_METRICS = ("update", "resolution")  # the clocks 等待报修人 stops (see workbook/core/sla.py)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # one of TYPES


@dataclass
class TableRows:
    """A table as the export wants it: its fields, key, rows in key order, and its scope."""

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    rows: list[tuple]
    owns: Callable[[tuple], bool]  # keys this run speaks for: an exported row of one no source holds is gone
    mark_gone: bool = False  # mark a gone row missing_since instead of deleting it

    def key_of(self, row: tuple) -> tuple:
        return tuple(row[i] for i in self.key_positions)

    @cached_property
    def key_positions(self) -> tuple[int, ...]:
        names = [f.name for f in self.fields]
        return tuple(names.index(k) for k in self.key)


@dataclass
class Source:
    """One workbook's sheets: the live tracker (month None) or a month's archive."""

    file: str  # as ``source_file`` records it
    month: str | None
    tickets: Table
    log: Table | None


@dataclass
class Export:
    tables: dict[str, TableRows]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (cell, reason: "no_number" | "duplicate")


# -- sheet columns as typed fields ---------------------------------------------------------------------

# Coded columns exported as the code and the label: (sheet, key) -> (parser, labels)
CODED: dict[tuple[str, str], tuple[Callable[[Value], str | None], dict[str, schema.Label]]] = {
    ("tickets", "priority"): (parse_priority, schema.PRIORITY_NAMES),
    ("tickets", "status"): (parse_status, schema.STATUSES),
    ("tickets", "sla_state"): (lambda v: schema.code_of(schema.SLA_STATES, v), schema.SLA_STATES),
    ("log", "kind"): (lambda v: schema.code_of(schema.LOG_KINDS, v), schema.LOG_KINDS),
    ("reviews", "status"): (lambda v: schema.code_of(schema.REVIEW_STATUSES, v), schema.REVIEW_STATUSES),
}
YES_NO = frozenset({("tickets", "backup_done"), ("tickets", "review_needed"), ("reviews", "faq_updated")})
_KIND_TYPES = {schema.Kind.DATETIME: "timestamp", schema.Kind.DATE: "date", schema.Kind.INT: "integer"}


def sheet_fields(sheet: str) -> tuple[Field, ...]:
    out = []
    for column in schema.SHEET_COLUMNS[sheet]:
        if (sheet, column.key) in CODED:
            out += [Field(column.key, "text"), Field(f"{column.key}_label", "text")]
        elif (sheet, column.key) in YES_NO:
            out.append(Field(column.key, "boolean"))
        else:
            out.append(Field(column.key, _KIND_TYPES.get(column.kind, "text")))
    return tuple(out)


def sheet_converter(sheet: str, lang: str) -> Callable[[dict[str, Value]], tuple]:
    """A function from a record ({schema key: cell value}) to the values of ``sheet_fields(sheet)``."""
    steps: list[tuple[str, Callable[[Value], object], bool]] = []  # (key, convert, gives code and label)
    for column in schema.SHEET_COLUMNS[sheet]:
        if (sheet, column.key) in CODED:
            steps.append((column.key, _coded(*CODED[sheet, column.key], lang), True))
        elif (sheet, column.key) in YES_NO:
            steps.append((column.key, schema.yes_no, False))
        elif column.kind is schema.Kind.DATETIME:
            steps.append((column.key, parse_datetime, False))
        elif column.kind is schema.Kind.DATE:
            steps.append((column.key, _date, False))
        elif column.kind is schema.Kind.INT:
            steps.append((column.key, parse_int, False))
        else:
            steps.append((column.key, _text, False))

    def convert(record: dict[str, Value]) -> tuple:
        out: list = []
        for key, step, pair in steps:  # called for every row of every sheet: a plain loop
            if pair:
                out += step(record.get(key))
            else:
                out.append(step(record.get(key)))
        return tuple(out)
    return convert


def _text(value: Value) -> str | None:
    return text(value) or None


def _coded(parser, labels: dict[str, schema.Label], lang: str) -> Callable[[Value], tuple]:
    @lru_cache(maxsize=256)  # a handful of distinct texts on every row
    def convert(value: Value) -> tuple[str | None, str | None]:
        code = parser(value)
        return code, labels[code](lang) if code else (text(value) or None)  # an unknown value keeps its text
    return convert


def _date(value: Value) -> date | None:
    when = parse_datetime(value)
    return when.date() if when else None


# -- the team's own columns --------------------------------------------------------------------------------

def own_columns(table: Table | None) -> list[tuple[int, str]]:
    """(column, header) of the header row's named columns the schema does not know."""
    if table is None:
        return []
    known = set(table.columns.values())
    header = table.sheet.rows[table.header_row]
    return [(c, text(v)) for c, v in enumerate(header) if c not in known and text(v)]


def own_fields(headers: Iterable[str], values: dict[str, list[Value]], taken: set[str]) -> list[Field]:
    """A field per header, typed by the values found under it; renamed when its name is taken."""
    out = []
    for header in dict.fromkeys(headers):
        name, n = header, 1
        while name.casefold() in taken:
            n += 1
            name = f"{header}_{n}"
        taken.add(name.casefold())
        out.append(Field(name, infer_type(values.get(header, []))))
    return out


def infer_type(values: Iterable[Value]) -> str:
    """The narrowest type holding every non-empty value; text when they are mixed."""
    kinds = set()
    for v in values:
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
            kinds.add("integer")
        elif isinstance(v, float):
            kinds.add("real")
        elif isinstance(v, datetime):
            kinds.add("timestamp")
        elif isinstance(v, date):
            kinds.add("date")
        else:
            kinds.add("text")
    if len(kinds) == 1:
        return kinds.pop()
    if kinds == {"integer", "real"}:
        return "real"
    if kinds == {"timestamp", "date"}:
        return "timestamp"
    return "text"


def typed_value(value: Value, type_: str) -> object:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if type_ == "text":
        return text(value)
    if type_ == "integer":
        return int(value)
    if type_ == "real":
        return float(value)
    if type_ == "timestamp":
        return value if isinstance(value, datetime) else datetime.combine(value, time())
    return value  # boolean, date: as read


# -- the export: each workbook mapped on its own, then merged -----------------------------------------------

@dataclass
class Mapped:
    """One workbook's tickets, Log rows and SLA rows, typed but for the team's own columns (their
    type depends on every workbook). Plain values: an archive is mapped in a worker process."""

    file: str
    month: str | None
    tickets: list[tuple[str, tuple, dict[str, Value]]] = field(default_factory=list)  # (number, values, own)
    headers: list[str] = field(default_factory=list)  # of the team's own columns
    log: list[tuple[str, tuple, tuple]] = field(default_factory=list)  # (number, order, values)
    sla: dict[str, list[tuple]] = field(default_factory=dict)  # number -> its rows
    skipped: list[tuple[str, str]] = field(default_factory=list)


def map_source(source: Source, settings: Settings, now: datetime, lang: str) -> Mapped:
    """A workbook's rows. ``lang``: the tracker's, for the labels."""
    calendar = BusinessCalendar.from_settings(settings)
    rules = Rules(settings, calendar)
    out = Mapped(source.file, source.month)
    histories = read_histories(source.log)
    own = own_columns(source.tickets)
    out.headers = [h for _, h in own]
    to_ticket, to_log = sheet_converter("tickets", lang), sheet_converter("log", lang)
    meta = (source.month, source.file)
    for row, record in source.tickets.records():
        ticket = ticket_from_record(row, record)
        if not ticket.number or ticket.number in out.sla:
            cell = f"{source.file}:{source.tickets.name}!{source.tickets.cell(row, 'ticket_no')}"
            out.skipped.append((cell, "duplicate" if ticket.number else "no_number"))
            continue
        out.tickets.append((ticket.number, (*to_ticket(record), *meta),
                            {h: source.tickets.sheet.value(row, c) for c, h in own}))
        history = histories.get(ticket.number) or History()
        out.sla[ticket.number] = _sla_rows(ticket, history, rules, settings, calendar, now, source.month is not None,
                                           meta)
    if source.log is not None:
        for row, record in source.log.records():
            number = text(record.get("ticket_no"))
            if number:
                values = to_log(record)
                # time order; rows without a readable time last, in sheet order
                out.log.append((number, (values[1] is None, values[1] or datetime.min, row), values))
    return out


def export_rows(mapped: list[Mapped], reviews: Table | None, faq: Table | None, lang: str,
                kept: frozenset[str] = frozenset()) -> Export:
    """Every table of the export from the workbooks mapped, the tracker first, then the archives
    oldest first. ``kept``: numbers archived in months this run does not read (``--since``), so
    their rows are left as they are."""
    export = Export({}, [cell for part in mapped for cell in part.skipped])
    tickets, log, sla = _Found(), _Found(), []
    origin: dict[str, int] = {}  # ticket number -> the workbook it is exported from
    for i, part in enumerate(mapped):
        tickets.headers += part.headers
        for number, values, own in part.tickets:
            if number not in origin:  # else exported from an earlier workbook
                origin[number] = i
                tickets.fixed.append(values)
                tickets.own.append(own)
                sla += part.sla[number]
    _log_rows(mapped, origin, log)
    children = frozenset(origin) | {row[0] for row in log.fixed}  # numbers whose Log and SLA rows this run holds
    export.tables["tickets"] = _table("tickets", (*sheet_fields("tickets"), *_meta_fields()), ("ticket_no",),
                                      tickets, lambda key: key[0] not in kept, mark_gone=True)
    log_fields = sheet_fields("log")
    export.tables["log"] = _table("log", (log_fields[0], Field("seq", "integer"), *log_fields[1:],
                                          *_meta_fields()[:2]), ("ticket_no", "seq"), log,
                                  lambda key: key[0] in children)
    for name, table in (("reviews", reviews), ("faq", faq)):
        export.tables[name] = _sheet_table(name, table, mapped[0].file, lang)
    export.tables["sla"] = TableRows("sla", SLA_FIELDS, ("ticket_no", "metric"), sorted(sla, key=lambda r: r[:2]),
                                     lambda key: key[0] in children)
    return export


@dataclass
class _Found:
    """Rows of one table gathered from every workbook, before the team's columns are typed."""

    fixed: list[tuple] = field(default_factory=list)  # typed values ending with archive_month, source_file
    own: list[dict[str, Value]] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)


def _meta_fields() -> tuple[Field, ...]:
    return Field("archive_month", "text"), Field("source_file", "text"), Field("missing_since", "timestamp")


def _table(name: str, fields: tuple[Field, ...], key: tuple[str, ...], found: _Found,
           owns: Callable[[tuple], bool], mark_gone: bool = False) -> TableRows:
    """Fields and rows with the team's own columns typed and placed before the meta columns."""
    n_meta = 3 if mark_gone else 2
    own = own_fields(found.headers, _columns_of(found.own), {f.name.casefold() for f in fields})
    rows = []
    for fixed, values in zip(found.fixed, found.own or [{}] * len(found.fixed)):
        mine = tuple(typed_value(values.get(h), f.type) for h, f in zip(dict.fromkeys(found.headers), own))
        meta = fixed[-2:] + ((None,) if mark_gone else ())
        rows.append((*fixed[:-2], *mine, *meta))
    table = TableRows(name, (*fields[:-n_meta], *own, *fields[-n_meta:]), key, rows, owns, mark_gone)
    positions = table.key_positions
    table.rows.sort(key=lambda r: tuple(r[i] for i in positions))
    return table


def _columns_of(records: list[dict[str, Value]]) -> dict[str, list[Value]]:
    out: dict[str, list[Value]] = {}
    for record in records:
        for header, value in record.items():
            out.setdefault(header, []).append(value)
    return out


def _log_rows(mapped: list[Mapped], origin: dict[str, int], found: _Found) -> None:
    """Each ticket's Log rows from the workbook its ticket row is exported from (rows of a number
    that is no ticket, from every workbook), numbered per ticket in time order."""
    rows: dict[str, list[tuple]] = {}
    for i, part in enumerate(mapped):
        for number, order, values in part.log:
            if origin.get(number, i) == i:
                rows.setdefault(number, []).append(((*order[:2], i, order[2]), values, part.month, part.file))
    for entries in rows.values():
        entries.sort(key=lambda entry: entry[0])
        for seq, (_, values, month, file) in enumerate(entries, start=1):
            found.fixed.append((values[0], seq, *values[1:], month, file))


def _sheet_table(name: str, table: Table | None, file: str, lang: str) -> TableRows:
    """Reviews or FAQ: every row of the live sheet, keyed by its row number (1 = the sheet's first row)."""
    found = _Found()
    if table is not None:
        convert = sheet_converter(name, lang)
        own = own_columns(table)
        found.headers = [h for _, h in own]
        for row, record in table.records():
            found.fixed.append((row + 1, *convert(record), None, file))
            found.own.append({h: table.sheet.value(row, c) for c, h in own})
    fields = (Field("row_no", "integer"), *sheet_fields(name), *_meta_fields()[:2])
    return _table(name, fields, ("row_no",), found, lambda key: True)


# -- SLA, ticket by metric ----------------------------------------------------------------------------------

SLA_FIELDS = (Field("ticket_no", "text"), Field("metric", "text"), Field("priority", "text"), Field("clock", "text"),
              Field("target_minutes", "real"), Field("due", "timestamp"), Field("completed_at", "timestamp"),
              Field("outcome", "text"), Field("minutes_used", "real"), Field("archive_month", "text"),
              Field("source_file", "text"))


def _sla_rows(ticket: Ticket, history: History, rules: Rules, settings: Settings, calendar: BusinessCalendar,
              now: datetime, archived: bool, meta: tuple) -> list[tuple]:
    if ticket.priority is None or ticket.reported_at is None:
        return []
    times = ticket_times(ticket, history)
    result = rules.evaluate(times, now)
    breached, dues = result.breached, {"response": result.response_due, "assignment": result.assignment_due,
                                       "update": result.next_update_due, "resolution": result.resolution_due}
    frozen = frozen_breaches(ticket.raw.get("sla_state"), ticket.raw.get("breached")) if archived else None
    if frozen is not None and ticket.done:  # judged when archived, by the targets in force then
        breached = frozen
        dues = {m: parse_datetime(ticket.raw.get(key)) or dues[m] for m, key in DUE_KEYS.items()}
    done_at = completions(times)
    pauses = clock_pauses(times)
    out = []
    for metric in schema.METRICS:
        target = settings.target(ticket.priority, metric)
        if target is None:
            continue
        clock = clock_for(target.clock, calendar)
        completed = done_at.get(metric)
        if metric in breached:
            outcome = "breached"
        else:
            outcome = "met" if ticket.done or completed is not None else "open"
        used = None
        if completed is not None and completed >= ticket.reported_at:
            used = clock.working_minutes(ticket.reported_at, completed)
            if metric in PAUSED_METRICS:
                used -= sum(clock.working_minutes(max(s, ticket.reported_at), min(e, completed))
                            for s, e in pauses if e is not None)
        out.append((ticket.number, metric, ticket.priority, target.clock, target_minutes(target, calendar),
                    dues[metric], completed, outcome, used, *meta))
    return out
