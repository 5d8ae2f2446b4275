"""What a cell may hold (cells.check_cell): the date rule either side of the first day Excel counts
right, for the naive date-times it passes first and for every other kind of date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from workbook.core.cells import check_cell
from workbook.core.errors import InputError

FIRST = datetime(1900, 3, 1)


@pytest.mark.parametrize("value", [FIRST, FIRST + timedelta(seconds=1), datetime(9999, 12, 31, 23, 59),
                                   FIRST.replace(tzinfo=timezone.utc), date(1900, 3, 1)])
def test_dates_from_the_first_day_pass(value):
    check_cell("Sheet1", 0, 0, value)


@pytest.mark.parametrize("value", [FIRST - timedelta(seconds=1), (FIRST - timedelta(minutes=1)).replace(tzinfo=timezone.utc),
                                   date(1900, 2, 28)])
def test_dates_before_it_are_refused(value):
    with pytest.raises(InputError, match="1900-03-01"):
        check_cell("Sheet1", 0, 0, value)


def test_a_good_date_time_outside_the_sheet_is_refused():
    with pytest.raises(InputError, match="outside"):
        check_cell("Sheet1", 2_000_000, 0, FIRST)
