"""An export as an upsert: what to insert, change and remove so a target holds the wanted rows, pure.

Rows are compared by key, whole: a row whose values are all equal is not written, so a second run
over an unchanged workbook writes nothing, and after new closures only those tickets' rows change.

A ticket gone from the tracker and from every archive read (deleted or renumbered by hand, or its
archive pruned past retention) is **marked**, not deleted: ``missing_since`` is set to the time of
the first run that missed it, so the history a database keeps outlives the workbook's. A ticket
found again gets it cleared. Its Log and SLA rows stay as last exported. Rows of the Log and SLA of
a ticket that is still there, and Reviews and FAQ rows, mirror the workbook: extra rows are deleted.

When a table's layout changed (a team column added, or one changing type), it is rebuilt: the rows
kept are carried over by column name and the whole table is written anew.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .export_rows import Field, TableRows

MARK = "missing_since"


@dataclass
class TableChange:
    table: TableRows  # fields, key and the rows wanted from this run
    rows: list[tuple]  # the table as it will be, in key order
    inserted: list[tuple] = field(default_factory=list)
    updated: list[tuple] = field(default_factory=list)  # the new values of rows whose key was there
    deleted: list[tuple] = field(default_factory=list)  # keys
    marked: int = 0  # rows newly marked missing (counted in ``updated`` too)
    rebuilt: bool = False  # created, or its layout changed: written whole

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def changed(self) -> bool:
        return self.rebuilt or bool(self.inserted or self.updated or self.deleted)

    def counts(self) -> dict[str, int]:
        return {"rows": len(self.rows), "inserted": len(self.inserted), "updated": len(self.updated),
                "deleted": len(self.deleted), "marked_missing": self.marked}


def diff_table(wanted: TableRows, fields: tuple[Field, ...] | None, existing: list[tuple],
               now: datetime) -> TableChange:
    """The change from ``existing`` rows (laid out as ``fields``; None: no such table) to ``wanted``."""
    rebuilt = fields != wanted.fields
    if fields is not None and rebuilt:
        existing = _relayout(existing, fields, wanted.fields)
    old = {wanted.key_of(row): row for row in existing}
    change = TableChange(wanted, [], rebuilt=rebuilt)
    new = {}
    for row in wanted.rows:
        key = wanted.key_of(row)
        new[key] = row
        before = old.get(key)
        if before is None:
            change.inserted.append(row)
        elif before != row:
            change.updated.append(row)
    mark = [f.name for f in wanted.fields].index(MARK) if wanted.mark_gone else None
    for key, row in old.items():
        if key in new:
            continue
        if not wanted.owns(key):
            new[key] = row  # not this run's to judge (--since)
        elif mark is None:
            change.deleted.append(key)
        elif row[mark] is None:
            new[key] = (*row[:mark], now, *row[mark + 1:])
            change.updated.append(new[key])
            change.marked += 1
        else:
            new[key] = row  # marked by an earlier run
    change.rows = [new[key] for key in sorted(new, key=_sortable)]
    return change


def _relayout(rows: list[tuple], fields: tuple[Field, ...], target: tuple[Field, ...]) -> list[tuple]:
    """Rows moved into another layout by column name: a column that changed type, or is new, is empty."""
    where = {f: i for i, f in enumerate(fields)}
    positions = [where.get(f) for f in target]
    return [tuple(None if i is None else row[i] for i in positions) for row in rows]


def _sortable(key: tuple) -> tuple:
    return tuple((value is None, value if value is not None else 0) for value in key)
