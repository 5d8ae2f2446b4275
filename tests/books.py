"""In-memory trackers for core tests: BookData built from dicts keyed by schema column keys."""

from __future__ import annotations

from workbook import schema
from workbook.book import BookData, SheetData


def sheet_rows(key: str, records: list[dict], lang: str = "zh") -> list[list]:
    columns = schema.SHEET_COLUMNS[key]
    rows = [[c.label(lang) for c in columns]]
    for record in records:
        unknown = set(record) - {c.key for c in columns}
        assert not unknown, unknown
        rows.append([record.get(c.key) for c in columns])
    return rows


def make_book(tickets: list[dict], log: list[dict] = (), lang: str = "zh", reviews: list[dict] = (),
              archived: list[str] = ()) -> BookData:
    sheets = {}
    for key, records in (("tickets", tickets), ("log", log), ("reviews", reviews),
                         ("archive_index", [{"ticket_no": n} for n in archived])):
        name = schema.SHEETS[key](lang)
        sheets[name] = SheetData(name, sheet_rows(key, list(records), lang))
    return BookData(sheets)
