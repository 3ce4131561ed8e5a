"""The working-day calendar every statutory deadline is counted with.

Source of truth, in order:
1. ``WorkdayOverride`` rows entered in the admin (a correction or a year the package lacks);
2. the chinese-calendar package (public holidays and the 调休 make-up working days it knows);
3. for a year the package does not know, the weekend rule, but only when an administrator has
   declared the year complete with a ``HolidayCalendarYear`` row.

Otherwise ``WorkdayCalendarUnknown`` is raised: a deadline computed on a guessed calendar would be
silently wrong, which is worse than an error that tells the operator what to enter.

Counting convention (as 《政府信息公开条例》 and 《信访工作条例》 count periods): the day an event
happens is not counted; ``add_working_days(d, n)`` is the n-th working day after ``d``.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import chinese_calendar
from django.utils.translation import gettext as _

from portal import process_cache


class WorkdayCalendarUnknown(Exception):
    """The calendar cannot decide whether a date is a working day."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            _(
                "The working-day calendar for %(year)s is unknown: enter that year's public "
                "holidays and make-up working days in the admin (Reference data → Working-day "
                "overrides) and add the year under Reference data → Holiday calendar years."
            )
            % {"year": year}
        )


#: The process-cache name of the calendar's rows (bumped by portal.signals on every change).
CACHE_NAME = "workdays"


def _read_year(year: int) -> tuple[dict[dt.date, bool], bool]:
    """The year's overrides and whether it was declared complete (two queries)."""
    from portal.models import HolidayCalendarYear, WorkdayOverride

    overrides = dict(
        WorkdayOverride.objects.filter(date__year=year).values_list("date", "is_working_day")
    )
    return overrides, HolidayCalendarYear.objects.filter(year=year).exists()


@cache
def _package_years() -> tuple[int, int]:
    """The first and last year chinese-calendar has data for."""
    years = sorted({day.year for day in chinese_calendar.holidays})
    return years[0], years[-1]


class WorkdayCalendar:
    """Answers working-day questions; each calendar year's rows come from this process's copy
    (``portal.process_cache``), reloaded with two queries after any change to them.

    Create one per computation (it caches the database rows it reads); the module-level
    functions below do exactly that.
    """

    def __init__(self) -> None:
        self._overrides: dict[int, dict[dt.date, bool]] = {}
        self._complete_years: dict[int, bool] = {}
        self._generation = process_cache.UNKNOWN

    def _load_year(self, year: int) -> dict[dt.date, bool]:
        if year not in self._overrides:
            if self._generation is process_cache.UNKNOWN:
                self._generation = process_cache.generation(CACHE_NAME)
            overrides, complete = process_cache.get(
                CACHE_NAME, year, lambda: _read_year(year), current=self._generation
            )
            self._overrides[year] = overrides
            self._complete_years[year] = complete
        return self._overrides[year]

    def is_working_day(self, day: dt.date) -> bool:
        overrides = self._load_year(day.year)
        if day in overrides:
            return overrides[day]
        first, last = _package_years()
        if first <= day.year <= last:
            return chinese_calendar.is_workday(day)
        if self._complete_years[day.year]:
            return day.weekday() < 5
        raise WorkdayCalendarUnknown(day.year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("n must be zero or positive")
        day = start
        remaining = n
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def is_working_day(day: dt.date) -> bool:
    return WorkdayCalendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (the start day itself is not counted)."""
    return WorkdayCalendar().add_working_days(start, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie after ``start`` up to and including ``end``."""
    return WorkdayCalendar().working_days_between(start, end)
