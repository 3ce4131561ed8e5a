"""Statutory periods of the 《政府信息公开条例》 (2019), counted in working days.

Pure rules over dates; the calendar is ``portal.workdays`` (the start day is not counted).

- Art. 26: proactive disclosure within 20 working days of the information being formed or changed.
- Art. 33: a request is answered within 20 working days of receipt; extendable once, by at most 20.
- Art. 30: an unclear request may be sent back once for 补正 within 7 working days of receipt; the
  period then runs from the day the supplement is received.
- Art. 32: time spent consulting a third party (who has 15 working days to answer) is not counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.workdays import WorkdayCalendar

PROACTIVE_DAYS = 20  # Art. 26
REPLY_DAYS = 20  # Art. 33
MAX_EXTENSION_DAYS = 20  # Art. 33
SUPPLEMENT_WINDOW_DAYS = 7  # Art. 30
THIRD_PARTY_DAYS = 15  # Art. 32
DUE_SOON_DAYS = 5  # queue threshold (working days left)


def plan_entry_due_on(*, rule: str, due_date: dt.date | None, formed_date: dt.date | None):
    """The due date of a plan entry: fixed, or 20 working days after it is formed."""
    if rule == "after_formed":
        if formed_date is None:
            return None
        return WorkdayCalendar().add_working_days(formed_date, PROACTIVE_DAYS)
    return due_date


@dataclass(frozen=True)
class RequestClock:
    """The inputs of a request's deadline."""

    clock_start: dt.date
    extension_days: int = 0
    paused_working_days: int = 0
    paused_since: dt.date | None = None


def request_due_on(clock: RequestClock, *, calendar: WorkdayCalendar | None = None) -> dt.date:
    """The reply deadline: 20 (+ extension) working days after the clock start, plus every
    working day spent in a finished third-party consultation. While a consultation is
    running the deadline is provisional (it moves one working day per working day paused)."""
    calendar = calendar or WorkdayCalendar()
    days = REPLY_DAYS + clock.extension_days + clock.paused_working_days
    return calendar.add_working_days(clock.clock_start, days)


def supplement_deadline(received_on: dt.date) -> dt.date:
    """The last day on which a 补正 may be requested (Art. 30)."""
    return WorkdayCalendar().add_working_days(received_on, SUPPLEMENT_WINDOW_DAYS)


def third_party_deadline(started_on: dt.date) -> dt.date:
    """The day by which the consulted third party must answer (Art. 32)."""
    return WorkdayCalendar().add_working_days(started_on, THIRD_PARTY_DAYS)


def paused_days(started_on: dt.date, ended_on: dt.date) -> int:
    """Working days in (started_on, ended_on] that do not count toward the deadline."""
    return max(WorkdayCalendar().working_days_between(started_on, ended_on), 0)


def working_days_left(due_on: dt.date, today: dt.date) -> int:
    """Working days left until ``due_on`` (negative when overdue)."""
    return WorkdayCalendar().working_days_between(today, due_on)
