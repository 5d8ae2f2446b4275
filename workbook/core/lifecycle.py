"""Ticket lifecycle: one planning function per step of the seed's process.

    new → assign → (log, status waiting ⇄ in progress)* → resolve → confirm → close

Each ``plan_*`` takes a :class:`Tracker` and an explicit ``now`` and returns a :class:`ChangeSet`:
the ticket row's cells, the Log rows that are the step's evidence, and every ticket's computed
columns and the dashboard as refresh computes them with the step applied
(:func:`workbook.core.computed.keep_current`), so the one write leaves the workbook current. Every status a step changes gets a
状态变更 Log row, so pauses and reopens are read from the Log exactly as refresh reads them. A
step out of order raises :class:`InputError` naming the ticket, the cell and the rule; nothing is
planned then.

Reopen (``plan_reopen``, or ``plan_status(..., "in_progress")`` on a resolved or closed ticket):
the ticket goes back to 处理中 and its 解决时间 / 关闭时间 are cleared, so it is open again; the Log
keeps the earlier resolution (and summary, confirmation, rating until the next step rewrites them).
Its SLA clocks follow GLPI rather than Jira Service Management: JSM starts a new cycle, which
would forget that the reporter has been waiting since the first report; GLPI counts the time spent
solved as waiting. So the report time stays the anchor, the time between resolution and reopen is
a pause (:meth:`History.pauses`), and the resolution and update clocks carry on from where they
stopped. A ticket resolved late stays late: a pause after a deadline does not undo the miss.
"""

from __future__ import annotations

from datetime import datetime

from . import schema
from .book import Value, find_table
from .changeset import ChangeSet
from .errors import InputError
from .log import History, log_row, status_change_text
from .messages import say
from .numbering import assign_numbers
from .parse import parse_priority
from .computed import keep_current
from .refresh import AUTHOR
from .settings import local_now
from .tickets import Ticket
from .tracker import Engine, Tracker, load_tracker, updated
from .validation import check_tickets

NEW_FIELDS = ("reported_at", "reporter", "department", "contact", "channel", "module", "category",
              "description", "impact", "priority")
# Log kinds a user writes directly; status changes come from the status steps.
# Kinds that tell the reporter something: the first one is the ticket's first response.
REPORTER_KINDS = ("update", "notification")
CHOICES = {"channel": schema.CHANNELS, "category": schema.CATEGORIES}
BACKUP_PRIORITIES = ("P1", "P2")


class _Step:
    """One step on one ticket row: its cells and Log rows, finished with the recomputed SLA columns."""

    def __init__(self, tracker: Tracker, row: int, number: str, now: datetime, author: str, lang: str | None):
        self.tracker, self.row, self.number, self.now = tracker, row, number, now
        self.author, self.lang = author, lang or tracker.lang
        self.ticket: Ticket | None = None  # None while the step creates the row
        self.changes = ChangeSet()
        self.log_table = find_table(tracker.book, "log")  # raises when the Log sheet is missing
        self.next_log_row = self.log_table.end_row
        self.known: set[tuple[str, str]] = set()  # findings the row had before the step

    @classmethod
    def on(cls, tracker: Tracker, number: str, now: datetime, author: str | None, lang: str | None) -> _Step:
        ticket = find_ticket(tracker, number, lang or tracker.lang)
        step = cls(tracker, ticket.row, ticket.number, now, author or ticket.text("assignee") or AUTHOR, lang)
        step.ticket = ticket
        findings = check_tickets(tracker.tickets_table, [ticket], now, tracker.lang)
        blocking = [f.line() for f in findings if f.incomplete]
        if blocking:
            raise InputError("step_blocked", lang=step.lang, number=number, problems="; ".join(blocking))
        step.known = {(f.cell, f.rule) for f in findings}
        step._catch_up()
        return step

    def _catch_up(self) -> None:
        """A status typed in the sheet since the last logged one is logged first, as refresh would."""
        last = (self.tracker.histories.get(self.number) or History()).last_status() or "new"
        if self.ticket.status != last:
            self._log_as(AUTHOR, "status_change", status_change_text(last, self.ticket.status, self.tracker.lang))

    # -- writing --------------------------------------------------------------------------------------

    def set(self, key: str, value: Value) -> None:
        table = self.tracker.tickets_table
        if key not in table.columns:
            if value in (None, ""):
                return
            raise InputError("step_no_column", table.name, lang=self.lang, header=_header(key, self.lang))
        self.changes.set(table.name, self.row, table.columns[key], value)

    def log(self, kind: str, message: str) -> None:
        self._log_as(self.author, kind, message)

    def _log_as(self, author: str, kind: str, message: str) -> None:
        for col, value in log_row(self.log_table, self.number, self.now, author, kind, message).items():
            self.changes.set(self.log_table.name, self.next_log_row, col, value)
        self.next_log_row += 1

    def status(self, new: str, note: str = "") -> None:
        old = self.ticket.status if self.ticket else None
        self.set("status", schema.STATUSES[new](self.tracker.lang))
        self.log("status_change", status_change_text(old, new, self.tracker.lang, note))

    def say(self, key: str, **values: object) -> str:
        """A text for the workbook itself (Log rows, cells): in the workbook's language."""
        return say(key, self.tracker.lang, **values)

    # -- refusing ---------------------------------------------------------------------------------------

    def refuse(self, key: str, cell_key: str = "status", **values: object) -> InputError:
        table = self.tracker.tickets_table
        cell = table.cell(self.row, cell_key) if cell_key in table.columns else None
        return InputError(key, table.name, cell, lang=self.lang, number=self.number, **values)

    def verb(self, step: str) -> str:
        return say(f"verb_{step}", self.lang)

    def status_label(self) -> str:
        return schema.STATUSES[self.ticket.status](self.lang)

    def refuse_done(self, step: str) -> None:
        if self.ticket.done:
            raise self.refuse("step_done", status=self.status_label(), step=self.verb(step))

    def refuse_open(self, step: str) -> None:
        if not self.ticket.done:
            raise self.refuse("step_not_done", status=self.status_label(), step=self.verb(step))

    def refuse_unassigned(self, step: str) -> None:
        if not self.ticket.text("assignee"):
            raise self.refuse("step_unassigned", "assignee", step=self.verb(step))

    def refuse_without_backup(self, step: str, backup_done: bool = False) -> None:
        if self.ticket.priority in BACKUP_PRIORITIES and not backup_done and self.ticket.backup_done is not True:
            raise self.refuse("step_backup", "backup_done", priority=self.ticket.priority, step=self.verb(step))

    # -- finishing --------------------------------------------------------------------------------------

    def finish(self) -> ChangeSet:
        """The step's cells plus the computed columns and dashboard it leaves; refuses a step that
        breaks a check rule on its row."""
        after = updated(self.tracker, self.changes)
        ticket = next(t for t in after.tickets if t.row == self.row)
        findings = check_tickets(after.tickets_table, [ticket], self.now, self.lang)
        broken = [f for f in findings if (f.cell, f.rule) not in self.known]
        if broken:
            raise InputError("step_rejected", lang=self.lang, number=self.number,
                             problems="; ".join(f.line() for f in broken))
        return keep_current(self.tracker, self.changes, self.now, after)


# -- the steps ------------------------------------------------------------------------------------------

def plan_new(tracker: Tracker, fields: dict[str, Value], now: datetime, *, author: str | None = None,
             lang: str | None = None) -> tuple[ChangeSet, str]:
    """A new ticket row (status 新建, reported now unless ``fields`` say when) and its number."""
    unknown = set(fields) - set(NEW_FIELDS)
    if unknown:
        raise ValueError(f"unknown ticket fields: {sorted(unknown)}")
    lang = lang or tracker.lang
    values = _new_values(tracker, fields, now, lang)
    table = tracker.tickets_table
    row = table.end_row
    number = assign_numbers([(row, values["reported_at"])], tracker.used)[row]
    step = _Step(tracker, row, number, now, author or AUTHOR, lang)
    for key, value in {"ticket_no": number, **values}.items():
        step.set(key, value)
    step.status("new")
    return step.finish(), number


def plan_assign(tracker: Tracker, number: str, now: datetime, assignee: str, *, lead_department: str | None = None,
                vendor_contact: str | None = None, author: str | None = None, lang: str | None = None) -> ChangeSet:
    """Name the assignee (and lead department / vendor contact); 新建 becomes 已分派."""
    step = _Step.on(tracker, number, now, author, lang)
    t = step.ticket
    step.refuse_done("assign")
    assignee = _required(step, "assignee", assignee)
    lead = (lead_department or "").strip() or t.text("lead_department")
    vendor = (vendor_contact or "").strip()
    if (vendor or t.text("vendor_contact")) and not lead:
        raise step.refuse("step_vendor_lead", "lead_department", vendor=vendor or t.text("vendor_contact"))
    step.set("assignee", assignee)
    step.set("lead_department", lead or None)
    if vendor:
        step.set("vendor_contact", vendor)
    if t.time("assigned_at") is None:
        step.set("assigned_at", now)  # the first assignment is what the assignment SLA measures
    note = step.say("note_assignee", assignee=assignee)
    if lead:
        note += step.say("note_lead", lead=lead)
    if t.status == "new":
        step.status("assigned", note)
    else:
        step.log("notification", step.say("log_reassigned", note=note, old=t.text("assignee") or "—"))
    if vendor and vendor != t.text("vendor_contact"):
        step.log("notification", step.say("log_vendor", vendor=vendor, number=step.number, priority=t.priority,
                                          module=t.text("module"), description=t.text("description")))
    return step.finish()


def plan_log(tracker: Tracker, number: str, now: datetime, kind: str, text: str, *, author: str | None = None,
             lang: str | None = None) -> ChangeSet:
    """A Log row; an update also sets 最近进展时间, which moves the next-update deadline."""
    step = _Step.on(tracker, number, now, author, lang)
    if kind not in schema.FREE_KINDS:
        allowed = "/".join(schema.FREE_KINDS)
        raise step.refuse("step_log_kind", "status", kind=kind, allowed=allowed)
    text = (text or "").strip()
    if not text:
        raise step.refuse("step_empty_log", "status")
    step.log(kind, text)
    if kind == "update":
        step.set("last_update_at", now)
    if kind in REPORTER_KINDS and step.ticket.time("first_response_at") is None:
        step.set("first_response_at", now)
    return step.finish()


def plan_status(tracker: Tracker, number: str, now: datetime, status: str, *, reason: str = "",
                author: str | None = None, lang: str | None = None) -> ChangeSet:
    """等待报修人 (pauses the update and resolution clocks) or 处理中; 处理中 on a done ticket reopens it."""
    if status not in ("waiting", "in_progress"):
        raise ValueError(f"status step must be waiting or in_progress, not {status!r}")
    step = _Step.on(tracker, number, now, author, lang)
    if status == "in_progress" and step.ticket.done:
        return _reopen(step, reason)
    step.refuse_done(status)
    step.refuse_unassigned(status)
    if step.ticket.status == status:
        raise step.refuse("step_same", status=step.status_label())
    step.status(status, (reason or "").strip())
    return step.finish()


def plan_reopen(tracker: Tracker, number: str, now: datetime, reason: str, *, author: str | None = None,
                lang: str | None = None) -> ChangeSet:
    """A resolved or closed ticket back to 处理中 (see the module docstring for its clocks)."""
    step = _Step.on(tracker, number, now, author, lang)
    step.refuse_open("reopen")
    return _reopen(step, reason)


def _reopen(step: _Step, reason: str) -> ChangeSet:
    reason = _required(step, "reason", reason)
    step.set("resolved_at", None)
    step.set("closed_at", None)
    step.status("in_progress", step.say("note_reopen", reason=reason))
    return step.finish()


def plan_resolve(tracker: Tracker, number: str, now: datetime, summary: str | None = None, *,
                 workaround: str | None = None, long_term_fix: str | None = None, backup_done: bool = False,
                 author: str | None = None, lang: str | None = None) -> ChangeSet:
    """已解决 now, with the summary (cause / fix); P1–P2 need the backup done first."""
    step = _Step.on(tracker, number, now, author, lang)
    step.refuse_done("resolve")
    step.refuse_unassigned("resolve")
    summary = (summary or "").strip() or step.ticket.text("summary")
    if not summary:
        raise step.refuse("step_summary", "summary", step=step.verb("resolve"))
    step.refuse_without_backup("resolve", backup_done)
    step.set("summary", summary)
    for key, value in (("workaround", workaround), ("long_term_fix", long_term_fix)):
        if value and value.strip():
            step.set(key, value.strip())
    if backup_done:
        step.set("backup_done", schema.YES(tracker.lang))
    step.set("resolved_at", now)
    step.status("resolved", summary)
    return step.finish()


def plan_confirm(tracker: Tracker, number: str, now: datetime, by: str, text: str, *, rating: int | None = None,
                 lang: str | None = None) -> ChangeSet:
    """The reporter's confirmation (处理结果确认) of a resolved ticket, and a 1–5 rating."""
    step = _Step.on(tracker, number, now, by, lang)
    step.refuse_open("confirm")
    by = _required(step, "reporter", by)
    text = _required(step, "confirmation", text)
    if rating is not None and not 1 <= rating <= 5:
        raise step.refuse("satisfaction", "satisfaction", value=rating)
    step.author = by
    step.set("confirmation", step.say("confirmation_cell", by=by, text=text))
    if rating is not None:
        step.set("satisfaction", rating)
    rated = step.say("log_rating", rating=rating) if rating is not None else ""
    step.log("verification", step.say("log_confirmed", by=by, text=text) + rated)
    return step.finish()


def plan_close(tracker: Tracker, number: str, now: datetime, *, summary: str | None = None,
               author: str | None = None, lang: str | None = None) -> ChangeSet:
    """已关闭 now; needs a resolved ticket with a summary (and the backup, for P1–P2)."""
    step = _Step.on(tracker, number, now, author, lang)
    t = step.ticket
    if t.status == "closed":
        raise step.refuse("step_same", status=step.status_label())
    if t.status != "resolved":
        raise step.refuse("step_not_done", status=step.status_label(), step=step.verb("close"))
    summary = (summary or "").strip() or t.text("summary")
    if not summary:
        raise step.refuse("step_summary", "summary", step=step.verb("close"))
    step.refuse_without_backup("close")
    step.set("summary", summary)
    if t.time("resolved_at") is None:
        step.set("resolved_at", now)  # typed 已解决 without a time and never refreshed: as refresh stamps it
    step.set("closed_at", now)
    step.status("closed")
    return step.finish()


# -- helpers ----------------------------------------------------------------------------------------------

def run_step(engine: Engine, plan, now: datetime | None = None, dry_run: bool = False) -> tuple[Tracker, ChangeSet]:
    """Read, plan with ``plan(tracker, now)``, and apply unless a dry run."""
    with engine.locked():
        tracker = load_tracker(engine.read())
        changes = plan(tracker, now or local_now(tracker.settings))
        if changes and not dry_run:
            engine.apply(changes)
    return tracker, changes


def find_ticket(tracker: Tracker, number: str, lang: str) -> Ticket:
    number = (number or "").strip()
    found = [t for t in tracker.tickets if t.number == number]
    if not found:
        raise InputError("step_missing", tracker.tickets_table.name, lang=lang, number=number)
    if len(found) > 1:
        cells = ", ".join(tracker.tickets_table.cell(t.row, "ticket_no") for t in found)
        raise InputError("duplicate_number", tracker.tickets_table.name, lang=lang, value=number, other=cells)
    return found[0]


def _new_values(tracker: Tracker, fields: dict[str, Value], now: datetime, lang: str) -> dict[str, Value]:
    table = tracker.tickets_table
    values: dict[str, Value] = {}
    for key in NEW_FIELDS:
        value = fields.get(key)
        value = value.strip() if isinstance(value, str) else value
        if value in (None, ""):
            if schema.column("tickets", key).required and key != "reported_at":
                raise InputError("required", table.name, lang=lang, header=_header(key, lang))
            continue
        values[key] = value
    values.setdefault("reported_at", now)
    priority = parse_priority(values["priority"])
    if priority is None:
        raise InputError("priority", table.name, lang=lang, value=values["priority"])
    values["priority"] = priority
    for key in CHOICES:
        if key in values:
            values[key] = _choice(tracker, key, str(values[key]), lang)
    return values


def _choice(tracker: Tracker, key: str, value: str, lang: str) -> str:
    """A drop-down value in the workbook's language; either language's label is accepted."""
    label = next((label for label in CHOICES[key] if label.matches(value)), None)
    if label is not None:
        return label(tracker.lang)
    allowed = tracker.settings.lists.get(key) or tuple(label(tracker.lang) for label in CHOICES[key])
    if value in allowed:
        return value
    raise InputError("step_choice", tracker.tickets_table.name, lang=lang, header=_header(key, lang), value=value,
                     allowed="/".join(allowed))


def _required(step: _Step, key: str, value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        header = _header(key, step.lang) if key != "reason" else say("reason", step.lang)
        raise InputError("required", step.tracker.tickets_table.name, lang=step.lang, header=header)
    return value


def _header(key: str, lang: str) -> str:
    return schema.column("tickets", key).label(lang)
