"""The disclosure rate (indicator 5, 生态环境信息公开率). Pure: plain values in, plain values out.

For a year as of a date, over the plan's entries whose due date is on or before that date:

    rate = on_time / due

An entry is *on time* when its item was published on or before its due date (and by the as-of
date), *late* when published after its due date but by the as-of date, *missing* when not
published by the as-of date. Entries not yet due are left out of both numbers, even if already
published. With nothing due the rate is undefined (None). See docs/methodology.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

#: The plan's indicator this rate is (表1 No. 5, 生态环境信息公开率).
RATE_INDICATOR = 5


def official_as_of(year: int) -> dt.date:
    """The as-of date of a year's official figure: its year end (the annual report's date)."""
    return dt.date(year, 12, 31)


@dataclass(frozen=True)
class EntryOutcome:
    key: object
    due_on: dt.date | None
    published_on: dt.date | None


@dataclass
class DisclosureRate:
    year: int
    as_of: dt.date
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    late_keys: list = field(default_factory=list)
    missing_keys: list = field(default_factory=list)
    not_yet_due: int = 0

    @property
    def rate(self) -> Decimal | None:
        if not self.due:
            return None
        return (Decimal(self.on_time) / Decimal(self.due)).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )

    def as_dict(self) -> dict:
        rate = self.rate
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "due": self.due,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "rate": float(rate) if rate is not None else None,
        }


def disclosure_rate(*, year: int, as_of: dt.date, entries: list[EntryOutcome]) -> DisclosureRate:
    result = DisclosureRate(year=year, as_of=as_of)
    for entry in entries:
        if entry.due_on is None or entry.due_on > as_of:
            result.not_yet_due += 1
            continue
        result.due += 1
        published = (
            entry.published_on if entry.published_on and entry.published_on <= as_of else None
        )
        if published is None:
            result.missing += 1
            result.missing_keys.append(entry.key)
        elif published <= entry.due_on:
            result.on_time += 1
        else:
            result.late += 1
            result.late_keys.append(entry.key)
    return result
