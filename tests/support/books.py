"""In-memory trackers for core tests: BookData built from dicts keyed by schema column keys."""

from __future__ import annotations

from datetime import datetime

from workbook.core import schema
from workbook.core.book import BookData, SheetData


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


def type_rows(path, records: list[dict]) -> None:
    """Write ``records`` (schema key -> value) under the Tickets header of the workbook at ``path``,
    through the file engine, as an agent typing rows would."""
    from workbook.core.book import find_table
    from workbook.core.changeset import ChangeSet
    from workbook.xlsx.file_engine import FileEngine

    engine = FileEngine(path, backups=0)
    table = find_table(engine.read(), "tickets")
    changes = ChangeSet()
    for i, record in enumerate(records):
        for key, value in record.items():
            changes.set(table.name, table.first_row + i, table.columns[key], value)
    engine.apply(changes)


def typed_tracker(path, records: list[dict], lang: str = "zh"):
    """A new template tracker at ``path`` with ``records`` typed in."""
    from workbook.author.template import build_template

    build_template(path, lang)
    type_rows(path, records)
    return path


# A ticket as an agent types it, with every required field.
BASE = {"reporter": "王芳", "module": "OA系统", "description": "打不开", "priority": "P3", "status": "新建",
        "reported_at": datetime(2024, 6, 1, 9, 0)}


def typed(path, rows: list[dict], settings: dict[str, object] | None = None):
    """A template tracker with ``rows`` typed in as Excel would store them (openpyxl for Excel)."""
    from openpyxl import load_workbook

    from workbook.author.template import build_template

    build_template(path, "zh")
    wb = load_workbook(path)
    ws = wb[schema.SHEETS["tickets"].zh]
    header = {c.value: c.column for c in ws[1] if c.value}
    for i, row in enumerate(rows):
        for key, value in row.items():
            ws.cell(2 + i, header[schema.column("tickets", key).label.zh], value)
    for ref, value in (settings or {}).items():
        wb[schema.SHEETS["settings"].zh][ref] = value
    wb.save(path)
    return path
