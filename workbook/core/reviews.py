"""Reviews (复盘) and the FAQ handbook (常见问题手册): what needs a review, and what reviews teach.

The rules, decided here:

- A P1–P2 ticket needs a review once it is done (已解决/已关闭) and no Reviews row names it.
- A recurring problem needs one: at least ``recurring_count`` tickets of one module and category
  reported within ``recurring_days`` days, none of them named in a Reviews row yet. Reviewed tickets
  do not count again, so a rerun finds nothing new, and a problem that keeps coming back gets a new
  review once it has recurred N more times. A count below 2 turns the rule off (one ticket is no
  recurrence). Groups are found first; a P1–P2 ticket inside one is covered by the group's review.
- Tickets come from the live sheet and every archive: a P1 closed and archived on the last day of
  the month still gets its review, and a problem recurring across a month end is still seen.
- `review` records each need as a 待复盘 row: owned by the ticket's engineer (a group's most frequent
  one), due five working days later on the business calendar.
- A Reviews row is finished when its 复盘状态 is 已完成, or is empty while a root cause is written (a
  review typed by hand); anything else is pending.
- 需复盘 says 是 while a ticket's review is outstanding: a P1–P2 ticket without a finished review, or
  any ticket named in a pending row.
- A row marked 已更新FAQ = 是 with a symptom and a solution adds an FAQ entry for the module of its
  first known ticket, or updates the entry with the same module and symptom (case-insensitive);
  the entry's 来源工单 lists the tickets of every review that fed it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import schema
from .book import Table, find_table
from .calendar import BusinessCalendar
from .changeset import ChangeSet
from .parse import parse_datetime, text
from .schema import Label
from .settings import Settings
from .tickets import Ticket
from .tracker import Tracker

P1_P2 = ("P1", "P2")
REVIEW_WORKING_DAYS = 5  # a review is due one working week after it is recorded
REASONS = {
    "priority": Label("{priority} 工单", "{priority} ticket"),
    "recurring": Label("重复问题：{module} / {category}，{days} 天内 {count} 次",
                       "Recurring: {module} / {category}, {count} times in {days} days"),
}

# Reviews may list several tickets in one cell: "20240520-003, 20240521-001" or "…、…".
_SPLIT = re.compile(r"[\s,，、;；]+")


def ticket_numbers_in(value: object) -> list[str]:
    return [n for n in _SPLIT.split(text(value)) if n]


@dataclass(frozen=True)
class Review:
    """One Reviews row, as far as the rules above need it."""

    row: int
    numbers: tuple[str, ...]
    done: bool
    faq: bool = False
    symptom: str = ""
    cause: str = ""
    solution: str = ""
    reason: str = ""
    owner: str = ""
    due: date | None = None


@dataclass(frozen=True)
class Need:
    """A review to record: its tickets, why, and who owns it by default."""

    kind: str  # a key of REASONS
    numbers: tuple[str, ...]
    reason: str  # REASONS[kind] filled in, in the workbook's language
    owner: str


@dataclass
class ReviewPlan:
    changes: ChangeSet
    needs: list[Need]
    due: date
    flagged: list[str] = field(default_factory=list)  # live tickets whose 需复盘 is 是
    faq_added: list[str] = field(default_factory=list)  # symptoms
    faq_updated: list[str] = field(default_factory=list)
    faq_skipped: list[str] = field(default_factory=list)  # symptoms whose tickets are nowhere to be found

    def as_dict(self) -> dict:
        return {"needs": [{"kind": n.kind, "tickets": list(n.numbers), "reason": n.reason, "owner": n.owner}
                          for n in self.needs],
                "due": self.due.isoformat(), "flagged": self.flagged, "faq_added": self.faq_added,
                "faq_updated": self.faq_updated, "faq_skipped": self.faq_skipped}


def read_reviews(table: Table | None) -> list[Review]:
    if table is None:
        return []
    out = []
    for row, record in table.records():
        status = schema.code_of(schema.REVIEW_STATUSES, record.get("status"))
        root_cause = text(record.get("root_cause"))
        out.append(Review(
            row=row,
            numbers=tuple(ticket_numbers_in(record.get("ticket_nos"))),
            done=status == "done" or (status is None and not text(record.get("status")) and bool(root_cause)),
            faq=schema.yes_no(record.get("faq_updated")) is True,
            symptom=text(record.get("symptom")),
            cause=root_cause,
            solution=text(record.get("solution")),
            reason=text(record.get("reason")),
            owner=text(record.get("owner")),
            due=parse_date(record.get("due_date")),
        ))
    return out


def parse_date(value: object) -> date | None:
    when = parse_datetime(value)
    return when.date() if when else None


def review_flags(tickets: Iterable[Ticket], reviews: Sequence[Review]) -> set[str]:
    """Numbers whose 需复盘 is 是 (see the module docstring)."""
    finished = {n for r in reviews if r.done for n in r.numbers}
    pending = {n for r in reviews if not r.done for n in r.numbers}
    return {t.number for t in tickets
            if t.number and (t.number in pending or (t.priority in P1_P2 and t.number not in finished))}


def find_needs(tickets: Sequence[Ticket], reviews: Sequence[Review], settings: Settings, lang: str) -> list[Need]:
    """Reviews to record: recurring groups, then done P1–P2 tickets outside them, by first number."""
    named = {n for r in reviews for n in r.numbers}
    fresh = [t for t in tickets if t.number and t.number not in named]
    needs = list(_recurring(fresh, settings, lang))
    grouped = {n for need in needs for n in need.numbers}
    for t in fresh:
        if t.priority in P1_P2 and t.done and t.number not in grouped:
            reason = REASONS["priority"](lang).format(priority=t.priority)
            needs.append(Need("priority", (t.number,), reason, t.text("assignee")))
    return sorted(needs, key=lambda n: n.numbers[0])


def _recurring(tickets: Sequence[Ticket], settings: Settings, lang: str) -> Iterable[Need]:
    if settings.recurring_count < 2:
        return
    by_problem: dict[tuple[str, str], list[Ticket]] = defaultdict(list)
    for t in tickets:
        module = t.text("module")
        if module and t.reported_at:
            by_problem[(module.casefold(), t.text("category").casefold())].append(t)
    window = timedelta(days=settings.recurring_days)
    for members in by_problem.values():
        for group in _windows(members, settings.recurring_count, window):
            first = group[0]
            reason = REASONS["recurring"](lang).format(module=first.text("module"), category=first.text("category"),
                                                       days=settings.recurring_days, count=len(group))
            owners = Counter(filter(None, (t.text("assignee") for t in group)))
            owner = owners.most_common(1)[0][0] if owners else ""
            yield Need("recurring", tuple(sorted(t.number for t in group)), reason, owner)


def _windows(members: list[Ticket], count: int, window: timedelta) -> Iterable[list[Ticket]]:
    """Greedy in time order: the first window holding ``count`` tickets becomes a group (all of its
    tickets), and the search goes on after the group's last ticket."""
    members = sorted(members, key=lambda t: (t.reported_at, t.number))
    times = [t.reported_at for t in members]
    i = 0
    while i < len(members):
        end = bisect_right(times, times[i] + window)  # a ticket exactly D days later is inside
        if end - i >= count:
            yield members[i:end]
            i = end
        else:
            i += 1


# -- the plan -------------------------------------------------------------------------------------------

def plan_review(tracker: Tracker, archived: Sequence[Ticket], now: datetime) -> ReviewPlan:
    """Pending Reviews rows for every new need, 需复盘 on the live sheet, and FAQ entries from reviews."""
    book, lang = tracker.book, tracker.lang
    reviews_table = find_table(book, "reviews")
    live = {t.number for t in tracker.tickets}
    everyone = [*tracker.tickets, *(t for t in archived if t.number not in live)]
    reviews = read_reviews(reviews_table)
    needs = find_needs(everyone, reviews, tracker.settings, lang)
    calendar = BusinessCalendar.from_settings(tracker.settings)
    due = calendar.add(now, REVIEW_WORKING_DAYS * calendar.day_minutes).date()
    plan = ReviewPlan(ChangeSet(), needs, due)
    first = reviews_table.end_row
    for i, need in enumerate(needs):
        _set_row(plan.changes, reviews_table, first + i, _review_values(need, now.date(), due, lang))
    recorded = [Review(first + i, need.numbers, done=False) for i, need in enumerate(needs)]
    plan.flagged = _mark(plan.changes, tracker, review_flags(tracker.tickets, [*reviews, *recorded]))
    modules = {t.number: t.text("module") for t in everyone}
    _plan_faq(plan, find_table(book, "faq"), reviews, modules, lang)
    plan.changes = plan.changes.only_changes(book)
    return plan


def _review_values(need: Need, today: date, due: date, lang: str) -> dict[str, object]:
    return {"ticket_nos": schema.LIST_SEPARATOR(lang).join(need.numbers), "date": today, "reason": need.reason,
            "owner": need.owner or None, "due_date": due, "status": schema.REVIEW_STATUSES["pending"](lang),
            "faq_updated": schema.NO(lang)}


def _set_row(changes: ChangeSet, table: Table, row: int, values: dict[str, object]) -> None:
    for key, value in values.items():
        if key in table.columns:
            changes.set(table.name, row, table.columns[key], value)


def _mark(changes: ChangeSet, tracker: Tracker, flags: set[str]) -> list[str]:
    """需复盘 for every numbered live ticket: 是 when flagged, empty otherwise (as refresh writes it)."""
    table = tracker.tickets_table
    if "review_needed" not in table.columns:
        return []
    for t in tracker.tickets:
        if t.number:
            value = schema.YES(tracker.lang) if t.number in flags else None
            changes.set(table.name, t.row, table.columns["review_needed"], value)
    return sorted(n for n in flags if n)


def _plan_faq(plan: ReviewPlan, table: Table, reviews: Sequence[Review], modules: dict[str, str], lang: str) -> None:
    """Add or update one FAQ entry per (module, symptom) from the reviews marked FAQ updated."""
    entries: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}
    for row, record in table.records():
        old = {k: text(v) for k, v in record.items()}
        entries.setdefault(_faq_key(old.get("module", ""), old.get("symptom", "")), (row, old))
    next_row = table.end_row
    for review in reviews:
        if not (review.faq and review.symptom and review.solution):
            continue
        module = next((modules[n] for n in review.numbers if modules.get(n)), "")
        if not module:
            plan.faq_skipped.append(review.symptom)
            continue
        key = _faq_key(module, review.symptom)
        row, old = entries.get(key, (None, {}))
        sources = list(dict.fromkeys([*ticket_numbers_in(old.get("source_tickets")), *review.numbers]))
        new = {"cause": review.cause or old.get("cause", ""), "solution": review.solution,
               "source_tickets": schema.LIST_SEPARATOR(lang).join(sources)}
        if row is None:
            row, next_row = next_row, next_row + 1
            new = {"module": module, "symptom": review.symptom} | new  # an existing entry keeps its wording
            plan.faq_added.append(review.symptom)
        elif any(new[k] != old.get(k, "") for k in new if k in table.columns):
            plan.faq_updated.append(review.symptom)
        entries[key] = (row, old | new)
        _set_row(plan.changes, table, row, new)


def _faq_key(module: str, symptom: str) -> tuple[str, str]:
    return module.strip().casefold(), symptom.strip().casefold()
