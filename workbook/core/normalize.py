"""Values made right in the cell: what people type, as the workbook spells it.

A priority typed as 高 / high / p2 becomes P2; a status, channel, category or yes/no typed in the
other language, in other case or with spaces becomes the workbook's label (or the Settings list's
entry); a date typed as text becomes a date cell. So filters and pivots see one value, not two.
Only a value that reads as exactly one thing is changed; anything else stays as typed, and the
check rules report it. Refresh writes these fixes and counts them; ``--dry-run`` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import schema
from .book import Value
from .schema import fold
from .tickets import TIME_KEYS, Ticket
from .tracker import Tracker
from .validation import EARLIEST

# Columns whose value is one entry of a list: the schema's labels, then the Settings list.
CHOICES = {"channel": schema.CHANNELS, "category": schema.CATEGORIES, "verification": schema.VERIFICATIONS}


@dataclass(frozen=True)
class Fix:
    row: int
    key: str  # the column's schema key
    cell: str  # 'Sheet!A1'
    old: Value
    new: Value

    def line(self) -> str:
        new = f"{self.new:%Y-%m-%d %H:%M}" if isinstance(self.new, datetime) else self.new
        return f"{self.cell}: {self.old!r} -> {new!r}"


def plan_fixes(tracker: Tracker) -> list[Fix]:
    """Every cell of the Tickets rows whose value reads as one thing spelled another way."""
    lists = choice_lists(tracker)
    labels = _Labels(tracker.lang)
    table = tracker.tickets_table
    fixes = []
    for ticket in tracker.tickets:
        for key, new in _fixed(ticket, labels, lists).items():
            if key in table.columns:
                fixes.append(Fix(ticket.row, key, f"{table.name}!{table.cell(ticket.row, key)}",
                                 ticket.raw.get(key), new))
    return fixes


def choice_lists(tracker: Tracker) -> dict[str, dict[str, str | None]]:
    """For each list column: folded spelling -> the entry to write (None: two entries fold alike)."""
    return {key: _list(tracker, key) for key in CHOICES}


class _Labels:
    """The workbook's spelling of each status and of yes/no, looked up once, not on every row."""

    def __init__(self, lang: str):
        self.statuses = {code: label(lang) for code, label in schema.STATUSES.items()}
        self.answers = {True: schema.YES(lang), False: schema.NO(lang)}


def _fixed(t: Ticket, labels: _Labels, lists: dict[str, dict[str, str | None]]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    raw, times = t.raw, t.times
    if t.priority and raw.get("priority") != t.priority:
        out["priority"] = t.priority
    if t.status and raw.get("status") != labels.statuses[t.status]:
        out["status"] = labels.statuses[t.status]
    backup = raw.get("backup_done")
    if isinstance(backup, str) and t.backup_done is not None and backup != labels.answers[t.backup_done]:
        out["backup_done"] = labels.answers[t.backup_done]
    for key, entries in lists.items():
        value = raw.get(key)
        if isinstance(value, str) and value.strip():
            entry = entries.get(fold(value))
            if entry and entry != value:
                out[key] = entry
    for key in TIME_KEYS:
        value = raw.get(key)
        when = times.get(key)
        if isinstance(value, str) and when is not None and when >= EARLIEST:  # an earlier one is a typo, reported
            out[key] = when
    return out


def _list(tracker: Tracker, key: str) -> dict[str, str | None]:
    """Folded spelling -> the entry to write; None when two entries fold alike (ambiguous)."""
    entries: dict[str, str | None] = {}

    def add(spelling: str, entry: str) -> None:
        folded = fold(spelling)
        if folded in entries and entries[folded] != entry:
            entries[folded] = None
        else:
            entries[folded] = entry

    own = tracker.settings.lists.get(key) or ()
    for entry in own:
        add(entry, entry)
    for label in CHOICES[key]:
        entry = label(tracker.lang)
        if not own or entry in own:
            add(label.zh, entry)
            add(label.en, entry)
    return entries

