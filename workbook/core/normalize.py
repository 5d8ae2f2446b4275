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
from typing import Callable

from . import schema
from .book import Table, Value, typed
from .parse import parse_datetime, parse_priority, parse_status
from .schema import fold
from .tickets import TIME_KEYS
from .tracker import Tracker
from .validation import EARLIEST

# Columns whose value is one entry of a list: the schema's labels, then the Settings list.
CHOICES = {"channel": schema.CHANNELS, "category": schema.CATEGORIES, "verification": schema.VERIFICATIONS}
# The types of the values a fix changes: text, and a number read as a priority (a bool is none).
FIXABLE = frozenset({str, int, float})


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
    """Every cell of the Tickets rows whose value reads as one thing spelled another way, row by row."""
    table = tracker.tickets_table
    fixes = []
    for key, fixed in _fixers(tracker).items():
        if key in table.columns:
            fixes += (Fix(row, key, f"{table.name}!{table.cell(row, key)}", old, new)
                      for row, old, new in _column_fixes(table, key, fixed))
    return sorted(fixes, key=lambda fix: fix.row)  # (stable: a row's columns stay in _fixers' order)


def choice_lists(tracker: Tracker) -> dict[str, dict[str, str | None]]:
    """For each list column: folded spelling -> the entry to write (None: two entries fold alike)."""
    return {key: _list(tracker, key) for key in CHOICES}


def _fixers(tracker: Tracker) -> dict[str, Callable[[Value], Value | None]]:
    """Column -> the value to write for a cell's value (None: the cell stays as it is)."""
    statuses = {code: label(tracker.lang) for code, label in schema.STATUSES.items()}
    answers = {True: schema.YES(tracker.lang), False: schema.NO(tracker.lang)}

    def priority(value: Value) -> str | None:
        code = parse_priority(value)
        return code if code and value != code else None

    def status(value: Value) -> str | None:
        code = parse_status(value)
        return statuses[code] if code and value != statuses[code] else None

    def backup_done(value: Value) -> str | None:
        answer = schema.yes_no(value) if isinstance(value, str) else None
        return answers[answer] if answer is not None and value != answers[answer] else None

    def listed(entries: dict[str, str | None]) -> Callable[[Value], str | None]:
        def entry(value: Value) -> str | None:
            found = entries.get(fold(value)) if isinstance(value, str) and value.strip() else None
            return found if found and found != value else None
        return entry

    def dated(value: Value) -> datetime | None:
        when = parse_datetime(value) if isinstance(value, str) else None
        return when if when is not None and when >= EARLIEST else None  # an earlier one is a typo, reported

    return {"priority": priority, "status": status, "backup_done": backup_done,
            **{key: listed(entries) for key, entries in choice_lists(tracker).items()},
            **dict.fromkeys(TIME_KEYS, dated)}


def _column_fixes(table: Table, key: str, fixed: Callable[[Value], Value | None]) -> list[tuple[int, Value, Value]]:
    """(row, value, fixed value) of each cell of ``key``'s column that changes. The column is read
    whole and each distinct value worked out once: a column holds a handful of spellings, or times
    that are seldom text."""
    column = list(table.column(key))
    if FIXABLE.isdisjoint(map(type, column)):
        return []  # the usual column of times
    cells = typed(column)  # 1 is a priority where True is not
    new = {cell: fix for cell in set(cells) if cell[0] in FIXABLE and (fix := fixed(cell[1])) is not None}
    if not new:
        return []
    return [(row, cell[1], new[cell]) for row, cell in enumerate(cells, table.first_row) if cell in new]


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

