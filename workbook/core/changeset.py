"""A change set: the cells a command writes and the rows it removes, as plain values.

The core builds one; an engine applies it (the file engine to a package on disk, the live engine
to a workbook open in Excel); ``--dry-run`` prints it. Rows past a table's end are appended rows:
the engine extends the table, filter, validation and conditional-format ranges to cover them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .book import BookData, SheetData, Value
from .cells import a1


@dataclass
class ChangeSet:
    # sheet name -> {(row, col): value}, 0-based; None clears a cell. Strings are always text.
    cells: dict[str, dict[tuple[int, int], Value]] = field(default_factory=dict)
    # sheet name -> rows to delete (rows below move up), 0-based
    removed_rows: dict[str, set[int]] = field(default_factory=dict)

    def set(self, sheet: str, row: int, col: int, value: Value) -> None:
        self.cells.setdefault(sheet, {})[(row, col)] = value

    def remove_row(self, sheet: str, row: int) -> None:
        self.removed_rows.setdefault(sheet, set()).add(row)

    def only_changes(self, book: BookData) -> "ChangeSet":
        """The same change set without edits that would write the value already there."""
        out = ChangeSet(removed_rows={k: set(v) for k, v in self.removed_rows.items()})
        for name, edits in self.cells.items():
            sheet = book.sheets.get(name)
            rows = sheet.rows if sheet else []
            for (r, c), value in edits.items():  # a refresh checks every computed cell: kept lean
                row = rows[r] if r < len(rows) else ()
                if not same_value(row[c] if c < len(row) else None, value):
                    out.set(name, r, c, value)
        return out

    def applied_to(self, book: BookData) -> BookData:
        """A copy of ``book`` as it reads once this change set is written: cells, then removed rows.
        A table's Total Row moves down below rows written where it stood, as the engines move it."""
        sheets, totals = dict(book.sheets), dict(book.total_rows)
        for name in {*self.cells, *self.removed_rows}:
            rows = list(book.sheets[name].rows)  # rows are copied only when edited: the book stays as it was
            copied: set[int] = set()
            edits = self.cells.get(name, {})
            footer = sorted(book.total_rows.get(name, ()))
            if footer:
                by = max((r - footer[0] + 1 for (r, _), v in edits.items() if v is not None and r >= footer[0]),
                         default=0)
                rows[footer[0]:footer[0]] = [[] for _ in range(by)]
                footer = [r + by for r in footer]
            for (r, c), value in edits.items():
                rows.extend([] for _ in range(r + 1 - len(rows)))
                if r not in copied:
                    rows[r] = list(rows[r])
                    copied.add(r)
                rows[r].extend([None] * (c + 1 - len(rows[r])))
                rows[r][c] = value
            removed = self.removed_rows.get(name, set())
            end = book.sheets[name].left_out_end
            sheets[name] = SheetData(name, [row for r, row in enumerate(rows) if r not in removed],
                                     left_out_end=end - sum(1 for r in removed if r < end))
            if footer:
                totals[name] = {r - sum(1 for x in removed if x < r) for r in footer if r not in removed}
        return BookData(sheets, book.source, book.archived, totals)

    def then(self, later: "ChangeSet") -> "ChangeSet":
        """This change set followed by ``later``, planned on the book this one leaves: ``later``'s
        rows are moved back over the rows this one removes; its edits win."""
        out = ChangeSet({name: dict(edits) for name, edits in self.cells.items()},
                        {name: set(rows) for name, rows in self.removed_rows.items()})
        for name, edits in later.cells.items():
            removed = sorted(self.removed_rows.get(name, ()))
            if not removed:  # the usual case, and a refresh's 40k computed cells
                out.cells.setdefault(name, {}).update(edits)
                continue
            for (r, c), value in edits.items():
                out.set(name, _before_removal(r, removed), c, value)
        for name, rows in later.removed_rows.items():
            removed = sorted(self.removed_rows.get(name, ()))
            for r in rows:
                out.remove_row(name, _before_removal(r, removed))
        return out

    def edits(self) -> Iterator[tuple[str, int, int, Value]]:
        for name, edits in self.cells.items():
            for (r, c), value in sorted(edits.items()):
                yield name, r, c, value

    def __bool__(self) -> bool:
        return any(self.cells.values()) or any(self.removed_rows.values())

    def __len__(self) -> int:
        return sum(len(e) for e in self.cells.values()) + sum(len(r) for r in self.removed_rows.values())

    def describe(self, book: BookData) -> list[str]:
        """One line per edit, 'Sheet!A1: old -> new', for --dry-run."""
        lines = []
        for name, r, c, value in self.edits():
            sheet = book.sheets.get(name)
            old = sheet.value(r, c) if sheet else None
            lines.append(f"{name}!{a1(r, c)}: {_show(old)} -> {_show(value)}")
        for name, rows in self.removed_rows.items():
            for r in sorted(rows):
                lines.append(f"{name}!{r + 1}:{r + 1}: remove row")
        return lines


def _before_removal(row: int, removed: list[int]) -> int:
    """The row that becomes ``row`` once the sorted ``removed`` rows are gone."""
    for gone in removed:
        if gone <= row:
            row += 1
        else:
            break
    return row


def same_value(old: Value, new: Value) -> bool:
    if type(old) is type(new) and old == new:  # most often, and cheapest to tell
        return True
    if (old is None or old == "") and (new is None or new == ""):
        return True
    if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool):
        return abs(old - new) < 1e-9
    return type(old) is type(new) and old == new


def _show(value: Value) -> str:
    if value is None:
        return "(empty)"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M")
    return repr(value) if isinstance(value, str) else str(value)
