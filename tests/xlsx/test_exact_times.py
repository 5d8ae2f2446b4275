"""Times written so that every reader shows the same minute: Excel and calamine round a serial to
the second, LibreOffice truncates it, so a serial a hair short of 19:22 shows as 19:21 there."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from fractions import Fraction

from click.testing import CliRunner
from tests.support.libreoffice import needs_libreoffice, sheet_as_csv

from workbook.cli import main
from workbook.core import schema
from workbook.core.book import find_table
from workbook.core.cells import EXCEL_EPOCH, from_serial, to_serial
from workbook.xlsx.reader import read_book


def test_every_minute_of_a_month_is_written_at_or_just_above_its_exact_serial():
    start = datetime(2024, 1, 1)
    for minute in range(31 * 1440):
        when = start + timedelta(minutes=minute)
        serial = to_serial(when)
        exact = Fraction((when - EXCEL_EPOCH) // timedelta(seconds=1), 86400)
        assert exact <= Fraction(serial) < exact + Fraction(1, 86400 * 1000), when
        assert from_serial(serial) == when


@needs_libreoffice
def test_libreoffice_shows_every_deadline_of_a_refreshed_demo_at_the_minute_calamine_reads(tmp_path):
    folder = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", str(folder), "--tickets", "60", "--now", "2024-05-20 19:22"])
    assert result.exit_code == 0, result.output
    tracker = folder / "工单跟踪.xlsx"
    table = find_table(read_book(tracker), "tickets")
    shown = list(csv.reader(sheet_as_csv(tracker, 1, tmp_path / "csv").open(encoding="utf-8")))
    compared = 0
    for column in schema.TICKET_COLUMNS:
        if column.kind is not schema.Kind.DATETIME:
            continue
        col = table.columns[column.key]
        for r in range(table.first_row, table.end_row):
            value = table.sheet.value(r, col)
            if isinstance(value, datetime):
                assert shown[r][col][:16] == f"{value:%Y-%m-%d %H:%M}", (column.key, r, shown[r][col], value)
                compared += 1
    assert compared > 50  # deadlines and the typed times alike
