"""The portal's one date format and one date-and-time format, for people to read.

Every page that shows when a tip-off, a disclosure request or a redemption happened uses these
(templates through the ``portal_date`` / ``portal_datetime`` filters of ``portal_tags``): ISO 8601
order, which reads the same in Chinese and English and sorts as text — ``2026-03-05`` and
``2026-03-05 14:30`` (local time, ``TIME_ZONE``, 24-hour clock).
"""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"


def format_date(value: dt.date | dt.datetime, fmt: str = DATE_FORMAT) -> str:
    """``value`` in ``fmt`` (a Django date format); aware datetimes in local time first."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, fmt)
