"""The business calendar against deadlines worked out by hand.

Default calendar: Monday-Friday, 09:00-12:00 and 13:30-18:00 (180 + 270 = 450 minutes a day),
mainland China holidays and make-up days from the holidays library. Spring 2024::

         April 2024                    May 2024
    Mo Tu We Th Fr Sa Su        Mo Tu We Th Fr Sa Su
     1  2  3  4  5  6  7                1  2  3  4  5
     8  9 10 11 12 13 14         6  7  8  9 10 11 12
    15 16 17 18 19 20 21        13 14 15 16 17 18 19
    22 23 24 25 26 27 28        20 21 22 23 24 25 26
    29 30                       27 28 29 30 31

    Labour Day 2024: off Wed 05-01 .. Sun 05-05; make-up working days Sun 04-28 and Sat 05-11.
"""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from workbook.core.calendar import WALL, BusinessCalendar, clock_for
from workbook.core.errors import InputError
from workbook.core.messages import say
from workbook.core.settings import defaults

CAL = BusinessCalendar.from_settings(defaults())


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_day_minutes():
    assert CAL.day_minutes == 450  # 3 h + 4.5 h


@pytest.mark.parametrize("day, working", [
    ("2024-04-26", True),   # Friday
    ("2024-04-27", False),  # Saturday
    ("2024-04-28", True),   # Sunday, make-up working day
    ("2024-05-01", False),  # Labour Day
    ("2024-05-03", False),  # Friday, swapped off
    ("2024-05-06", True),   # Monday after the holiday
    ("2024-05-11", True),   # Saturday, make-up working day
    ("2024-05-12", False),  # Sunday
])
def test_is_working_day(day, working):
    assert CAL.is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize("start, minutes, due", [
    # Just before Labour Day: Tue 04-30 10:00 + 480. 04-30 gives 10:00-12:00 (120) + 13:30-18:00 (270) = 390;
    # 05-01..05-05 off; Mon 05-06 gives the last 90 -> 10:30.
    ("2024-04-30 10:00", 480, "2024-05-06 10:30"),
    # On the make-up Sunday: 04-28 17:00 + 480 = 60 (17-18) + Mon 04-29 420 (180 morning + 240 from 13:30) -> 17:30.
    ("2024-04-28 17:00", 480, "2024-04-29 17:30"),
    # On the make-up Saturday: 05-11 10:00 + 450 = 390 on Saturday, then Mon 05-13 09:00 + 60 -> 10:00.
    ("2024-05-11 10:00", 450, "2024-05-13 10:00"),
    # Friday evening before the make-up Saturday: starts Sat 05-11 09:00, + 10 -> 09:10.
    ("2024-05-10 20:00", 10, "2024-05-11 09:10"),
    # An ordinary Friday evening: starts Mon 05-20 09:00, + 10 -> 09:10.
    ("2024-05-17 20:00", 10, "2024-05-20 09:10"),
    # An ordinary Saturday: starts Mon 05-20 09:00, + 450 uses the whole day and stays at 18:00.
    ("2024-05-18 10:00", 450, "2024-05-20 18:00"),
    # Exactly to the end of the day: Mon 05-20 17:00 + 60 -> 18:00, not Tue 09:00.
    ("2024-05-20 17:00", 60, "2024-05-20 18:00"),
    # Into the lunch break: 11:50 + 10 -> 12:00 (end of the morning span).
    ("2024-05-15 11:50", 10, "2024-05-15 12:00"),
    # Across the lunch break: 11:55 + 10 = 5 before 12:00 + 5 after 13:30 -> 13:35.
    ("2024-05-15 11:55", 10, "2024-05-15 13:35"),
    # Reported during lunch: starts at 13:30.
    ("2024-05-15 12:30", 30, "2024-05-15 14:00"),
    # 3 working days = 3 x 450 = 1350 from Mon 05-20 14:00: Mon 240 (14-18), Tue 450 (690), Wed 450 (1140),
    # Thu 210 = 180 morning + 30 -> 14:00.
    ("2024-05-20 14:00", 3 * 450, "2024-05-23 14:00"),
    # Seconds are kept: 09:00 + 0.5 min -> 09:00:30.
    ("2024-05-20 09:00", 0.5, "2024-05-20 09:00:30"),
])
def test_add(start, minutes, due):
    assert CAL.add(dt(start), minutes) == dt(due)


@pytest.mark.parametrize("start, moment", [
    ("2024-05-20 10:00", "2024-05-20 10:00"),  # working time: itself
    ("2024-05-20 12:00", "2024-05-20 13:30"),  # a span's end is not working time
    ("2024-05-17 18:00", "2024-05-20 09:00"),  # Friday close -> Monday
    ("2024-04-30 18:30", "2024-05-06 09:00"),  # over Labour Day
])
def test_add_zero_is_next_working_moment(start, moment):
    assert CAL.add(dt(start), 0) == dt(moment)


def test_add_rejects_negative_minutes():
    with pytest.raises(ValueError):
        CAL.add(dt("2024-05-20 10:00"), -1)


@pytest.mark.parametrize("a, b, minutes", [
    ("2024-04-30 17:00", "2024-05-06 09:30", 90),  # 60 on 04-30, holidays 0, 30 on 05-06
    ("2024-05-20 11:00", "2024-05-20 14:00", 90),  # 60 before lunch + 30 after
    ("2024-05-17 19:00", "2024-05-20 08:00", 0),   # a weekend night
    ("2024-05-20 10:00", "2024-05-20 09:00", 0),   # backwards
    ("2024-05-20 09:00", "2024-05-27 09:00", 5 * 450),
])
def test_working_minutes(a, b, minutes):
    assert CAL.working_minutes(dt(a), dt(b)) == minutes


def test_years_loaded_out_of_order():
    cal = BusinessCalendar.from_settings(defaults())
    # Wed 2025-12-31 17:00 + 120: 60 that day; 2026-01-01..03 off; Sun 01-04 is a make-up day, + 60 -> 10:00.
    assert cal.add(dt("2025-12-31 17:00"), 120) == dt("2026-01-04 10:00")
    # Loading an earlier year afterwards shifts the index; answers must not change.
    assert cal.add(dt("2024-04-30 10:00"), 480) == dt("2024-05-06 10:30")
    assert cal.working_minutes(dt("2025-12-31 17:00"), dt("2026-01-04 10:00")) == 120


def test_answers_hold_when_an_earlier_year_loads_between_them():
    cal = BusinessCalendar.from_settings(defaults())
    start = dt("2025-12-31 17:00")
    due = cal.add(start, 120)  # the calendar now knows where start lies, in 2025 and 2026 only
    assert cal.is_working_day(date(2023, 5, 4))  # loads 2023 and 2024 in front of them
    assert cal.add(start, 120) == due == dt("2026-01-04 10:00")
    assert cal.working_minutes(start, due) == 120
    assert cal.add(dt("2023-05-04 17:00"), 60) == dt("2023-05-04 18:00")


# -- Settings overrides ----------------------------------------------------------------------------

def test_settings_extra_holiday():
    cal = BusinessCalendar.from_settings(replace(defaults(), extra_holidays=frozenset({date(2024, 5, 20)})))
    assert cal.add(dt("2024-05-17 20:00"), 10) == dt("2024-05-21 09:10")  # Mon 05-20 off -> Tue


def test_settings_extra_workday():
    cal = BusinessCalendar.from_settings(replace(defaults(), extra_workdays=frozenset({date(2024, 5, 18)})))
    assert cal.add(dt("2024-05-17 20:00"), 10) == dt("2024-05-18 09:10")  # Saturday works


def test_settings_override_the_library():
    cal = BusinessCalendar.from_settings(replace(
        defaults(), extra_workdays=frozenset({date(2024, 5, 2)}), extra_holidays=frozenset({date(2024, 5, 11)})))
    # 04-30 10:00 + 480: 390 on 04-30, then Thu 05-02 (worked despite the library) + 90 -> 10:30.
    assert cal.add(dt("2024-04-30 10:00"), 480) == dt("2024-05-02 10:30")
    # The make-up Saturday 05-11 is a Settings holiday: Fri evening -> Mon 05-13 09:10.
    assert cal.add(dt("2024-05-10 20:00"), 10) == dt("2024-05-13 09:10")


def test_settings_workday_row_wins_over_holiday_row():
    day = date(2024, 5, 20)
    cal = BusinessCalendar.from_settings(replace(defaults(), extra_workdays=frozenset({day}),
                                                 extra_holidays=frozenset({day})))
    assert cal.is_working_day(day)


def test_statutory_none():
    cal = BusinessCalendar.from_settings(replace(defaults(), statutory="none"))
    # 05-01 is an ordinary Wednesday: 390 on 04-30 + 90 -> 05-01 10:30.
    assert cal.add(dt("2024-04-30 10:00"), 480) == dt("2024-05-01 10:30")
    # Sun 04-28 is an ordinary Sunday: starts Mon 04-29 09:00, 450 that day + 30 -> Tue 09:30.
    assert cal.add(dt("2024-04-28 17:00"), 480) == dt("2024-04-30 09:30")
    assert cal.warnings([2027], "zh") == []


def test_custom_spans_merge_and_day_minutes():
    cal = BusinessCalendar(((time(12), time(13)), (time(9), time(12)), (time(14), time(17, 30))),
                           frozenset(range(6)), statutory="none")
    assert cal.day_minutes == 4 * 60 + 210  # 09:00-13:00 joined, 14:00-17:30
    assert cal.add(dt("2024-05-20 11:00"), 120) == dt("2024-05-20 13:00")  # no break at 12:00 any more
    assert cal.add(dt("2024-05-17 20:00"), 30) == dt("2024-05-18 09:30")  # Saturday works


def test_no_working_day_is_an_input_error():
    with pytest.raises(InputError):
        BusinessCalendar(((time(9), time(17)),), frozenset())


# -- years without a State Council notice --------------------------------------------------------

def test_warning_for_a_year_without_notice():
    assert CAL.warnings([2024, 2026, 2027, 2027], "en") == [say("no_notice", "en", year=2027)]
    [zh] = CAL.warnings([2027], "zh")
    assert zh.startswith("2027：") and "「设置」" in zh and "Settings" not in zh


def test_year_without_notice_keeps_rule_based_holidays():
    assert not CAL.is_working_day(date(2027, 10, 1))  # National Day still off
    assert CAL.is_working_day(date(2027, 10, 11))  # an ordinary Monday


def test_make_up_days_typed_in_settings_silence_the_warning():
    cal = BusinessCalendar.from_settings(replace(defaults(), extra_workdays=frozenset({date(2027, 2, 20)})))
    assert cal.warnings([2027, 2028], "en") == [say("no_notice", "en", year=2028)]
    assert cal.is_working_day(date(2027, 2, 20))


# -- the wall clock --------------------------------------------------------------------------------

def test_wall_clock():
    assert clock_for("24x7", CAL) is WALL and clock_for("business", CAL) is CAL
    assert WALL.add(dt("2024-05-01 23:50"), 15) == dt("2024-05-02 00:05")  # holidays and nights count
    assert WALL.working_minutes(dt("2024-05-01 10:00"), dt("2024-05-01 12:30")) == 150
    assert WALL.working_minutes(dt("2024-05-01 12:30"), dt("2024-05-01 10:00")) == 0


# -- properties -------------------------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2027, 1, 31)).map(
    lambda t: t.replace(microsecond=0))
whole_minutes = st.integers(min_value=0, max_value=20 * 450)
seconds = st.integers(min_value=0, max_value=20 * 450 * 60)


@given(moments, whole_minutes, st.integers(min_value=1, max_value=20 * 450))
def test_add_is_additive_from_working_time(t, a, b):
    start = CAL.add(t, 0)  # a working-time start
    assert CAL.add(CAL.add(start, a), b) == CAL.add(start, a + b)


@given(moments, seconds)
def test_working_minutes_inverts_add(t, s):
    assert CAL.working_minutes(t, CAL.add(t, s / 60)) == s / 60


@given(moments, moments, whole_minutes)
def test_add_is_monotone_in_start(t1, t2, m):
    t1, t2 = sorted((t1, t2))
    assert CAL.add(t1, m) <= CAL.add(t2, m)


@given(moments, whole_minutes, whole_minutes)
def test_add_is_monotone_in_minutes(t, m1, m2):
    m1, m2 = sorted((m1, m2))
    assert CAL.add(t, m1) <= CAL.add(t, m2)


@hyp_settings(max_examples=30, deadline=None)  # a fresh calendar per question loads the holiday library
@given(st.lists(st.tuples(moments, seconds), min_size=1, max_size=6))
def test_answers_do_not_depend_on_what_was_asked_before(questions):
    """One calendar asked in turn (as a refresh asks it) answers as a fresh one for each question."""
    asked = BusinessCalendar.from_settings(defaults())
    for t, s in questions:
        fresh = BusinessCalendar.from_settings(defaults())
        assert asked.add(t, s / 60) == fresh.add(t, s / 60)
        assert asked.working_minutes(t, t + timedelta(seconds=s)) == fresh.working_minutes(t, t + timedelta(seconds=s))


def _walk(start: datetime, minutes: int) -> datetime:
    """Reference: step minute by minute over working time (slow, obviously right)."""
    def working(t):
        return CAL.is_working_day(t.date()) and any(s <= t.time() < e for s, e in defaults().spans)
    t = start
    while not working(t):
        t += timedelta(minutes=1)
    while minutes:
        if working(t):
            minutes -= 1
        t += timedelta(minutes=1)
    return t


@hyp_settings(max_examples=40, deadline=None)  # an example in a new year loads the holiday library
@given(moments.map(lambda t: t.replace(second=0)), st.integers(min_value=1, max_value=900))
def test_add_matches_a_minute_walk(t, m):
    assert CAL.add(t, m) == _walk(t, m)
