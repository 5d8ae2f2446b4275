"""Working time: the business calendar and the 24x7 wall clock behind every SLA deadline.

Both clocks answer ``add(start, minutes)`` and ``working_minutes(a, b)`` on naive local datetimes,
so the SLA engine treats them alike; ``after(start, length(minutes))`` is ``add`` with the minutes
converted once for many starts. The business calendar numbers the working days of every year it
has seen, so a deadline is a lookup and a division, never a walk over days.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from .errors import InputError
from .messages import say
from .settings import Settings

_US_PER_MIN = 60_000_000
_MINUTE = timedelta(minutes=1)


class BusinessCalendar:
    """Working spans on working days; which days work is decided in this order, first match wins:

    1. a Settings make-up workday row (``extra_workdays``) is working;
    2. a Settings holiday row (``extra_holidays``) is off;
    3. a holiday of the library calendar (``holidays.China``, statutory "CN") is off;
    4. a library make-up working day (调休, ``weekend_workdays``) is working;
    5. otherwise the weekday decides (``workdays``, Monday = 0).

    statutory "none" drops steps 3 and 4. For a year the library has no State Council notice for,
    its rule-based holidays still apply but make-up days are unknown: see ``warnings``.

    Working time is half-open: a span 09:00-12:00 works at 09:00 and not at 12:00. ``add`` returns
    the earliest moment the minutes are used up, so a deadline landing on a span's end stays there
    (18:00, not 09:00 next day); with zero minutes it returns the next working moment (the start
    itself when it is working time). Positions are kept in whole microseconds, so adding and
    measuring round-trip exactly.
    """

    def __init__(self, spans: tuple[tuple[time, time], ...], workdays: frozenset[int],
                 extra_holidays: frozenset[date] = frozenset(), extra_workdays: frozenset[date] = frozenset(),
                 statutory: str = "CN"):
        self._spans = _merged_spans(spans)
        if not self._spans or not workdays:
            raise InputError("calendar_empty")
        # Per span: the working time in the day when it ends, and what to add to a day's working
        # time inside it to get the time of day.
        self._ends: list[tuple[int, int]] = []
        total = 0
        for start, end in self._spans:
            self._ends.append((total + end - start, start - total))
            total += end - start
        self._day_us = total
        self.workdays = workdays
        self.extra_holidays = extra_holidays
        self.extra_workdays = extra_workdays
        self.statutory = statutory
        self._days: list[int] = []  # ordinals of the working days of years _first.._last, sorted
        self._midnights: list[datetime] = []  # the same days as datetimes
        self._first = self._last = None
        self._loaded_from = self._loaded_to = 0  # the loaded days' ordinals, end excluded
        # The index in _days of the day positions count from: the first loaded year's first working
        # day. Loading earlier years moves it, so a position taken before stays valid.
        self._origin = 0
        self._numbers: dict[int, int] = {}  # a working day's ordinal -> its index in _days less _origin
        self._placed: datetime | None = None  # the last moment positioned, at _placed_at
        self._placed_at = 0
        # Microseconds since midnight -> that timedelta: building one costs about as much as the rest
        # of a deadline, and a refresh's deadlines fall on a few hundred times of day.
        self._times_of_day: dict[int, timedelta] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> BusinessCalendar:
        return cls(settings.spans, settings.workdays, settings.extra_holidays, settings.extra_workdays,
                   settings.statutory)

    @property
    def day_minutes(self) -> float:
        return self._day_us / _US_PER_MIN

    def warnings(self, years: Iterable[int], lang: str) -> list[str]:
        """One message in ``lang`` per year whose make-up workdays nobody knows.

        A year is known when the library has its State Council notice, or when Settings list at
        least one make-up workday in it (the team has typed the notice in).
        """
        if self.statutory != "CN":
            return []
        from holidays.countries.china import ChinaStaticHolidays  # here: importing holidays takes 0.5 s

        typed = {d.year for d in self.extra_workdays}
        notices = ChinaStaticHolidays.special_public_holidays
        return [say("no_notice", lang, year=y) for y in sorted(set(years)) if y not in notices and y not in typed]

    def is_working_day(self, day: date) -> bool:
        self._cover(day.year)
        return day.toordinal() in self._numbers

    def add(self, start: datetime, minutes: float) -> datetime:
        """The moment ``minutes`` of working time after ``start`` (see the class docstring)."""
        return self.after(start, self.length(minutes))

    def length(self, minutes: float) -> int:
        """``minutes`` of working time in the unit :meth:`after` takes (whole microseconds)."""
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, found {minutes}")
        return round(minutes * _US_PER_MIN)

    def after(self, start: datetime, length: int) -> datetime:
        """The moment ``length`` (from :meth:`length`) of working time after ``start``: the earliest
        moment that much work is done, or with no length the moment work continues from ``start``."""
        at_end = length > 0
        if at_end:
            k, rem = divmod(self._position(start) + length - 1, self._day_us)
            rem += 1  # in (0, day]: a full day's work ends at that day's last span end
        else:
            k, rem = divmod(self._position(start), self._day_us)  # in [0, day): the start of the next stretch
        k += self._origin
        while k >= len(self._days):
            self._load(self._last + 1)
        for end, shift in self._ends:
            if rem < end or (at_end and rem == end):
                break  # rem is always inside the day, so the last span catches it at the latest
        us = rem + shift  # since that day's midnight
        since_midnight = self._times_of_day.get(us)
        if since_midnight is None:
            since_midnight = self._times_of_day[us] = timedelta(microseconds=us)
        return self._midnights[k] + since_midnight

    def working_minutes(self, a: datetime, b: datetime) -> float:
        """Working minutes from ``a`` to ``b``; 0 when ``b`` is not after ``a``."""
        if b <= a:
            return 0.0
        return (self._position(b) - self._position(a)) / _US_PER_MIN

    # -- the index ----------------------------------------------------------------------------------

    def _position(self, t: datetime) -> int:
        """Working microseconds from the origin's working day to ``t``; before it, negative."""
        if t == self._placed:
            return self._placed_at  # a ticket's deadlines mostly count from its report time: placed once
        o = t.toordinal()
        if not self._loaded_from <= o < self._loaded_to:
            self._cover(t.year)
        number = self._numbers.get(o)
        if number is None:  # not a working day: where the next one starts
            pos = (bisect_left(self._days, o) - self._origin) * self._day_us
        else:
            pos = number * self._day_us
            now = _us(t)
            for start, end in self._spans:
                if now <= start:
                    break
                pos += (now if now < end else end) - start
        self._placed, self._placed_at = t, pos
        return pos

    def _cover(self, year: int) -> None:
        """Load every year from the loaded range to ``year``."""
        if self._first is None:
            self._load(year)
        while year < self._first:
            self._load(self._first - 1)
        while year > self._last:
            self._load(self._last + 1)

    def _load(self, year: int) -> None:
        off, makeup = self._library(year)
        days = []
        day, one = date(year, 1, 1), timedelta(days=1)
        while day.year == year:
            if self._works(day, off, makeup):
                days.append(day.toordinal())
            day += one
        midnights = [datetime.fromordinal(o) for o in days]
        if self._first is None or year > self._last:
            first = len(self._days) - self._origin
            self._days.extend(days)
            self._midnights.extend(midnights)
        else:
            self._days[:0] = days
            self._midnights[:0] = midnights
            self._origin += len(days)
            first = -self._origin
        self._numbers.update(zip(days, range(first, first + len(days))))
        self._first = year if self._first is None else min(self._first, year)
        self._last = year if self._last is None else max(self._last, year)
        self._loaded_from = date(self._first, 1, 1).toordinal()
        self._loaded_to = date(self._last, 12, 31).toordinal() + 1

    def _library(self, year: int) -> tuple[set[date], set[date]]:
        """The library's days off and make-up working days in ``year``."""
        import holidays  # here, not at the top: it imports every country's calendar (0.5 s)

        if self.statutory != "CN" or not holidays.China.start_year <= year <= holidays.China.end_year:
            return set(), set()
        # The next year's notice may move a working day into this year (e.g. 2001-12-29 for 2002).
        lib = holidays.China(years=(year, year + 1))
        return ({d for d in lib if d.year == year}, {d for d in lib.weekend_workdays if d.year == year})

    def _works(self, day: date, off: set[date], makeup: set[date]) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays or day in off:
            return False
        return day in makeup or day.weekday() in self.workdays


class WallClock:
    """The 24x7 clock: every minute counts."""

    def add(self, start: datetime, minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    def length(self, minutes: float) -> timedelta:
        return timedelta(minutes=minutes)

    def after(self, start: datetime, length: timedelta) -> datetime:
        return start + length

    def working_minutes(self, a: datetime, b: datetime) -> float:
        return max(0.0, (b - a) / _MINUTE)


WALL = WallClock()


def clock_for(name: str, calendar: BusinessCalendar) -> BusinessCalendar | WallClock:
    """The clock a target runs on: "business" -> the calendar, "24x7" -> wall time."""
    return calendar if name == "business" else WALL


def _merged_spans(spans: tuple[tuple[time, time], ...]) -> list[tuple[int, int]]:
    """Spans as microseconds since midnight, sorted, overlapping or touching spans joined."""
    out: list[tuple[int, int]] = []
    for start, end in sorted((_us(s), _us(e)) for s, e in spans if s < e):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _us(t: time | datetime) -> int:
    """Microseconds since midnight."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond
