"""The two clocks of enterprise disclosure (办法 24号令).

- The annual report covering calendar year Y is due by **15 March of Y+1** (第十四条: 每年3月15日前).
  The date is fixed by the rule; it is not moved when it falls on a weekend or holiday.
- A temporary report is due within **5 working days** of receiving the legal document (第十七条:
  收到相关法律文书之日起五个工作日内). Working days come from the statutory calendar
  (``portal.workdays``: the Spring Festival and other holidays, 调休 make-up days); the day of
  receipt is not counted.
"""

from __future__ import annotations

import datetime as dt

from portal import workdays

ANNUAL_DUE_MONTH = 3
ANNUAL_DUE_DAY = 15
TEMPORARY_WORKING_DAYS = 5
#: An open annual report is "due soon" this many days before its deadline.
DUE_SOON_DAYS = 14


def annual_due(year: int) -> dt.date:
    """The deadline of the annual report covering ``year``."""
    return dt.date(year + 1, ANNUAL_DUE_MONTH, ANNUAL_DUE_DAY)


def temporary_due(received_on: dt.date) -> dt.date:
    """The deadline of a temporary report on a document received on ``received_on``."""
    return workdays.add_working_days(received_on, TEMPORARY_WORKING_DAYS)


def is_late(*, due_on: dt.date, filed_on: dt.date) -> bool:
    return filed_on > due_on


def clock_state(*, due_on: dt.date, filed_on: dt.date | None, today: dt.date) -> str:
    """ "on_time", "late" (filed after the deadline), "missing" (not filed, deadline passed),
    "due_soon" (not filed, deadline within DUE_SOON_DAYS) or "open"."""
    if filed_on is not None:
        return "late" if filed_on > due_on else "on_time"
    if today > due_on:
        return "missing"
    if (due_on - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return "open"
