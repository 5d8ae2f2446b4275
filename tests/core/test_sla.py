"""The SLA engine against deadlines worked out by hand.

Default targets (SPEC): P1 response 15 min, assignment 10 min, update every 2 h, resolution 4 h, all 24x7;
P2 response 24 h 24x7, assignment 10 min, update 4 h, resolution 8 h on the business clock;
P3 response 24 h 24x7, assignment 1 working day (450 min), resolution 3 working days (1350 min), no update.
Business clock: Mon-Fri 09:00-12:00 + 13:30-18:00 (450 min a day), China holidays, warning at 75 %::

         April 2024                    May 2024
    Mo Tu We Th Fr Sa Su        Mo Tu We Th Fr Sa Su
     1  2  3  4  5  6  7                1  2  3  4  5
     8  9 10 11 12 13 14         6  7  8  9 10 11 12
    15 16 17 18 19 20 21        13 14 15 16 17 18 19
    22 23 24 25 26 27 28        20 21 22 23 24 25 26
    29 30                       27 28 29 30 31

    Labour Day 2024: off 05-01 .. 05-05; make-up working days Sun 04-28 and Sat 05-11.
"""

from dataclasses import replace
from datetime import datetime, time

import pytest

from workbook.core.calendar import BusinessCalendar
from workbook.core.settings import Target, defaults
from workbook.core.sla import TicketTimes, evaluate, target_minutes

SETTINGS = defaults()
CAL = BusinessCalendar.from_settings(SETTINGS)


def dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def run(now: str, priority: str, reported: str, **times):
    """Evaluate a ticket given as ISO strings (pauses as (start, end-or-None) pairs)."""
    def conv(v):
        if isinstance(v, str):
            return dt(v)
        if isinstance(v, tuple):
            return tuple(conv(x) for x in v)
        return v
    fields = {k: conv(v) for k, v in times.items()}
    return evaluate(TicketTimes(priority, dt(reported), **fields), SETTINGS, CAL, dt(now))


# -- deadlines -------------------------------------------------------------------------------------

def test_target_minutes():
    assert target_minutes(Target(15, "min", "24x7"), CAL) == 15
    assert target_minutes(Target(8, "h", "business"), CAL) == 480
    assert target_minutes(Target(3, "workday", "business"), CAL) == 3 * 450
    eight_hour_day = BusinessCalendar(((time(9), time(17)),), frozenset(range(5)))
    assert target_minutes(Target(3, "workday", "business"), eight_hour_day) == 3 * 480


def test_p1_runs_through_a_holiday():
    r = run("2024-05-01 10:20", "P1", "2024-05-01 10:00", first_response_at="2024-05-01 10:05",
            assigned_at="2024-05-01 10:05")
    assert r.response_due == dt("2024-05-01 10:15")  # + 15 min wall time, holiday or not
    assert r.assignment_due == dt("2024-05-01 10:10")
    assert r.next_update_due == dt("2024-05-01 12:05")  # assignment + 2 h
    assert r.resolution_due == dt("2024-05-01 14:00")  # + 4 h
    assert r.state == "on_track" and r.breached == ()


def test_p2_reported_just_before_labour_day():
    r = run("2024-04-30 17:30", "P2", "2024-04-30 17:00", first_response_at="2024-04-30 17:02",
            assigned_at="2024-04-30 17:05")
    assert r.response_due == dt("2024-05-01 17:00")  # 24 h on the 24x7 clock
    assert r.assignment_due == dt("2024-04-30 17:10")  # 10 working minutes
    # 480: 60 on 04-30 (17-18); 05-01..05-05 off; Mon 05-06 420 = 180 morning + 240 from 13:30 -> 17:30.
    assert r.resolution_due == dt("2024-05-06 17:30")
    # 240 from 17:05: 55 on 04-30; Mon 05-06 185 = 180 morning + 5 -> 13:35.
    assert r.next_update_due == dt("2024-05-06 13:35")
    assert r.state == "on_track"


def test_p3_reported_on_a_make_up_saturday():
    r = run("2024-05-11 11:00", "P3", "2024-05-11 10:00")
    assert r.response_due == dt("2024-05-12 10:00")  # 24 h wall time
    # 450: Sat 390 (10-12 = 120, 13:30-18 = 270); Sun off; Mon 05-13 + 60 -> 10:00.
    assert r.assignment_due == dt("2024-05-13 10:00")
    # 1350: Sat 390, Mon 450 (840), Tue 450 (1290), Wed 05-15 + 60 -> 10:00.
    assert r.resolution_due == dt("2024-05-15 10:00")
    assert r.next_update_due is None  # P3 has no update target


def test_p2_reported_on_friday_evening():
    r = run("2024-05-17 21:00", "P2", "2024-05-17 20:00")
    assert r.assignment_due == dt("2024-05-20 09:10")  # starts Mon 09:00
    assert r.resolution_due == dt("2024-05-21 09:30")  # 480 = Mon 450 + Tue 30
    assert r.next_update_due is None  # not assigned yet: no update clock
    # Nothing of the business targets is used over the weekend; response: 60 of 1440 wall minutes.
    assert r.used == {"response": pytest.approx(60 / 1440), "assignment": 0, "resolution": 0}


def test_p2_assignment_across_lunch():
    r = run("2024-05-15 12:00", "P2", "2024-05-15 11:55")
    assert r.assignment_due == dt("2024-05-15 13:35")  # 5 before 12:00, 5 after 13:30


def test_p3_deadline_at_close_of_day_stays_at_close():
    r = run("2024-05-20 09:30", "P3", "2024-05-20 09:00")
    assert r.assignment_due == dt("2024-05-20 18:00")  # one working day = 450, all of Monday
    assert r.resolution_due == dt("2024-05-22 18:00")  # 3 x 450: Mon, Tue, Wed


def test_p3_three_working_days():
    r = run("2024-05-20 15:00", "P3", "2024-05-20 14:00")
    # 1350: Mon 240 (14-18), Tue 450 (690), Wed 450 (1140), Thu 210 = 180 morning + 30 -> 14:00.
    assert r.resolution_due == dt("2024-05-23 14:00")


def test_settings_change_targets():
    targets = dict(SETTINGS.targets)
    targets[("P3", "resolution")] = None
    targets[("P3", "update")] = Target(1, "workday", "business")
    settings = replace(SETTINGS, targets=targets)
    r = evaluate(TicketTimes("P3", dt("2024-05-20 09:00"), assigned_at=dt("2024-05-20 10:00")),
                 settings, CAL, dt("2024-05-20 11:00"))
    assert r.resolution_due is None and "resolution" not in r.used
    assert r.next_update_due == dt("2024-05-21 10:00")  # 450 from Mon 10:00: Mon 390 + Tue 60


def test_calendar_from_settings_moves_deadlines():
    settings = replace(SETTINGS, statutory="none")
    r = evaluate(TicketTimes("P2", dt("2024-04-30 17:00")), settings, BusinessCalendar.from_settings(settings),
                 dt("2024-04-30 17:30"))
    assert r.resolution_due == dt("2024-05-01 17:30")  # 05-01 is an ordinary Wednesday: 60 + 420


# -- pauses (等待报修人) -------------------------------------------------------------------------------

def test_pause_on_24x7_clock():
    ticket = dict(first_response_at="2024-05-20 10:05", assigned_at="2024-05-20 10:05",
                  pauses=(("2024-05-20 11:00", "2024-05-20 12:30"),))
    r = run("2024-05-20 13:00", "P1", "2024-05-20 10:00", **ticket)
    assert r.resolution_due == dt("2024-05-20 15:30")  # 14:00 + 90 paused
    assert r.next_update_due == dt("2024-05-20 13:35")  # 12:05 + 90 paused
    # Used at 13:00: update 120 - 35 left = 85 of 120; resolution 240 - 150 left = 90 of 240.
    assert r.used["update"] == pytest.approx(85 / 120)
    assert r.used["resolution"] == pytest.approx(90 / 240)
    assert r.state == "on_track"  # 0.708 < 0.75
    assert run("2024-05-20 13:10", "P1", "2024-05-20 10:00", **ticket).state == "at_risk"  # 95/120 = 0.79


def test_pause_on_business_clock():
    r = run("2024-05-21 11:00", "P2", "2024-05-20 09:00", first_response_at="2024-05-20 09:02",
            assigned_at="2024-05-20 09:05", updates=("2024-05-20 11:00",),
            pauses=(("2024-05-20 16:00", "2024-05-21 10:00"),))
    # Paused working time: Mon 16:00-18:00 (120) + Tue 09:00-10:00 (60) = 180.
    # Resolution 480 + 180 = 660 from Mon 09:00: Mon 450, Tue 210 = 180 morning + 30 -> 14:00.
    assert r.resolution_due == dt("2024-05-21 14:00")
    # Update 240 from the 11:00 update would end Mon 16:30 (60 + 180), but the pause begins at 16:00:
    # 240 + 180 = 420 from 11:00: Mon 60 + 270 = 330, Tue 90 -> 10:30, missed by now (11:00).
    assert r.next_update_due == dt("2024-05-21 10:30")
    assert r.breached == ("update",) and r.state == "overdue"


def test_open_pause_stops_update_and_resolution():
    r = run("2024-05-28 10:00", "P2", "2024-05-20 09:00", first_response_at="2024-05-20 09:02",
            assigned_at="2024-05-20 09:05", pauses=(("2024-05-20 10:00", None),))
    assert r.resolution_due is None and r.next_update_due is None
    assert r.breached == () and r.state == "on_track"  # a week later, still waiting for the reporter
    assert r.used == {}  # response and assignment are done, the others are stopped


def test_pause_after_the_deadline_does_not_undo_the_miss():
    r = run("2024-05-20 15:00", "P1", "2024-05-20 10:00", first_response_at="2024-05-20 10:05",
            assigned_at="2024-05-20 10:05", updates=("2024-05-20 12:00",),
            pauses=(("2024-05-20 14:30", None),))
    assert r.resolution_due == dt("2024-05-20 14:00")  # the clock ran out before waiting began
    assert r.next_update_due == dt("2024-05-20 14:00")  # 12:00 + 2 h, also before the pause
    assert r.breached == ("update", "resolution")


def test_done_ticket_open_pause_ends_at_resolution():
    r = run("2024-05-22 10:00", "P1", "2024-05-20 10:00", first_response_at="2024-05-20 10:05",
            assigned_at="2024-05-20 10:05", updates=("2024-05-20 11:00",), resolved_at="2024-05-20 15:00",
            pauses=(("2024-05-20 12:00", None),), done=True)
    # Paused 12:00-15:00 (180): resolution 14:00 + 180 = 17:00, met at 15:00.
    assert r.resolution_due == dt("2024-05-20 17:00")
    assert r.state == "met" and r.breached == ()


# -- recurring updates -----------------------------------------------------------------------------

P1_ASSIGNED = dict(first_response_at="2024-05-20 10:05", assigned_at="2024-05-20 10:05")


def test_update_breach_from_a_historical_gap():
    # Gaps: 10:05 -> 11:00 (55 min), 11:00 -> 13:30 (150 > 120: due 13:00, missed), 13:30 -> now.
    r = run("2024-05-20 13:45", "P1", "2024-05-20 10:00", updates=("2024-05-20 13:30", "2024-05-20 11:00"),
            **P1_ASSIGNED)
    assert r.next_update_due == dt("2024-05-20 15:30")  # the current gap is fine
    assert r.breached == ("update",) and r.state == "overdue"


def test_update_gap_closed_by_resolution():
    # Last update 10:30, due 12:30; resolved 13:50 (before the resolution due 14:00) -> the last gap missed.
    r = run("2024-05-21 09:00", "P1", "2024-05-20 10:00", updates=("2024-05-20 10:30",),
            resolved_at="2024-05-20 13:50", done=True, **P1_ASSIGNED)
    assert r.next_update_due is None
    assert r.breached == ("update",) and r.state == "met_late"


def test_updates_on_time_until_resolution():
    r = run("2024-05-21 09:00", "P1", "2024-05-20 10:00", updates=("2024-05-20 12:00", "2024-05-20 13:30"),
            resolved_at="2024-05-20 13:50", done=True, **P1_ASSIGNED)
    assert r.breached == () and r.state == "met"


def test_running_update_clock_breaches():
    r = run("2024-05-20 12:06", "P1", "2024-05-20 10:00", **P1_ASSIGNED)
    assert r.next_update_due == dt("2024-05-20 12:05")
    assert r.breached == ("update",)
    assert r.used["update"] == pytest.approx(1 + 1 / 120)


def test_update_before_assignment_is_no_anchor():
    r = run("2024-05-20 10:30", "P1", "2024-05-20 10:00", updates=("2024-05-20 10:01",), **P1_ASSIGNED)
    assert r.next_update_due == dt("2024-05-20 12:05")


# -- response and assignment fallbacks -------------------------------------------------------------

def test_update_counts_as_first_response():
    r = run("2024-05-20 10:12", "P1", "2024-05-20 10:00", updates=("2024-05-20 10:10",))
    assert "response" not in r.breached and "response" not in r.used  # answered at 10:10 <= 10:15
    assert r.breached == ("assignment",)  # due 10:10, still not assigned at 10:12


def test_done_without_response_or_assignment_uses_resolution():
    met = run("2024-05-21 09:00", "P3", "2024-05-20 09:00", resolved_at="2024-05-20 11:00", done=True)
    assert met.state == "met"
    late = run("2024-05-21 09:00", "P1", "2024-05-20 10:00", resolved_at="2024-05-20 11:00", done=True)
    assert late.breached == ("response", "assignment") and late.state == "met_late"


def test_done_without_any_times_is_not_judged():
    r = run("2024-06-30 09:00", "P1", "2024-05-20 10:00", done=True)
    assert r.state == "met" and r.used == {}


# -- states ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("now, state, breached", [
    ("2024-05-20 10:00", "on_track", ()),  # assignment 60/450 used
    ("2024-05-20 16:07", "on_track", ()),  # 180 + 157 = 337/450 = 0.749
    ("2024-05-20 16:07:30", "at_risk", ()),  # 337.5/450 = 0.75 exactly
    ("2024-05-20 18:00", "at_risk", ()),  # due exactly now: not yet missed
    ("2024-05-21 09:30", "overdue", ("assignment",)),  # assignment due Mon 18:00
])
def test_open_states(now, state, breached):
    r = run(now, "P3", "2024-05-20 09:00", first_response_at="2024-05-20 09:10")
    assert (r.state, r.breached) == (state, breached)


@pytest.mark.parametrize("resolved, state, breached", [
    ("2024-05-22 18:00", "met", ()),  # exactly at the 3-working-day deadline
    ("2024-05-23 09:01", "met_late", ("resolution",)),
])
def test_done_states(resolved, state, breached):
    r = run("2024-05-24 09:00", "P3", "2024-05-20 09:00", first_response_at="2024-05-20 09:10",
            assigned_at="2024-05-20 10:00", resolved_at=resolved, done=True)
    assert (r.state, r.breached) == (state, breached)
    assert r.next_update_due is None and r.used == {}
