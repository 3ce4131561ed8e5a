"""Statutory deadlines of a report, counted with the portal's working-day calendar.

The periods are settings declared in portal/settings.py:

- Acceptance: decided within ``TIPOFFS_ACCEPT_WORKING_DAYS`` (default 2) working days after the
  day of submission.
- Handling: ``TIPOFFS_HANDLING_DAYS`` (default 60) days after the day of acceptance
  (《信访工作条例》 Art. 34); one extension of at most ``TIPOFFS_MAX_EXTENSION_DAYS`` (default 30).
  ``TIPOFFS_DAY_COUNT`` says how those days count: ``"calendar"`` (default, as the 条例 counts
  them: a period ending on a holiday or weekend ends on the next working day) or ``"working"``.
- Review (复查): answered within ``TIPOFFS_REVIEW_DAYS`` (default 30) days of the request, counted
  the same way; the request itself must come within 30 days of the answer.
- Reminder (催办) once two thirds of the period are gone; escalation (督办) the day after the
  deadline.

The day an event happens is never counted (portal.workdays' convention).
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings

from portal.workdays import WorkdayCalendar


def accept_working_days() -> int:
    return settings.TIPOFFS_ACCEPT_WORKING_DAYS


def handling_days() -> int:
    return settings.TIPOFFS_HANDLING_DAYS


def max_extension_days() -> int:
    return settings.TIPOFFS_MAX_EXTENSION_DAYS


def review_days() -> int:
    return settings.TIPOFFS_REVIEW_DAYS


def review_request_window_days() -> int:
    return settings.TIPOFFS_REVIEW_REQUEST_DAYS


def auto_close_days() -> int:
    return settings.TIPOFFS_AUTO_CLOSE_DAYS


def day_count() -> str:
    mode = settings.TIPOFFS_DAY_COUNT
    if mode not in {"calendar", "working"}:
        raise ValueError("TIPOFFS_DAY_COUNT must be 'calendar' or 'working'")
    return mode


def acceptance_due(submitted_on: dt.date, calendar: WorkdayCalendar | None = None) -> dt.date:
    calendar = calendar or WorkdayCalendar()
    return calendar.add_working_days(submitted_on, accept_working_days())


def add_period(start: dt.date, days: int, calendar: WorkdayCalendar | None = None) -> dt.date:
    """The end of a period of ``days`` after ``start`` (handling, extension, review)."""
    calendar = calendar or WorkdayCalendar()
    if day_count() == "working":
        return calendar.add_working_days(start, days)
    end = start + dt.timedelta(days=days)
    while not calendar.is_working_day(end):
        end += dt.timedelta(days=1)
    return end


def handling_due(accepted_on: dt.date, calendar: WorkdayCalendar | None = None) -> dt.date:
    return add_period(accepted_on, handling_days(), calendar)


def reminder_date(start: dt.date, due: dt.date, calendar: WorkdayCalendar | None = None) -> dt.date:
    """The day on which two thirds of the period (start, due] are gone."""
    calendar = calendar or WorkdayCalendar()
    total = calendar.working_days_between(start, due)
    if total <= 0:
        return due
    return calendar.add_working_days(start, math.ceil(total * 2 / 3))
