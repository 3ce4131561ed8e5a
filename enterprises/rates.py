"""The enterprise disclosure compliance rate and its share of indicator 5. Pure.

For a *due year* D (the calendar year in which obligations fall due) as of a date:

    obligations = annual reports of the enterprises on the mandatory list for year D-1
                  (each due 15 March D) + temporary reports whose deadline falls in D
                  + legal documents the bureau registered, due in D, that no report answers;
                  only those whose deadline is on or before the as-of date count.
    on time     = filed (first version) on or before the deadline and by the as-of date.
    compliance  = on time / obligations            (undefined when nothing is due)

Indicator 5 (生态环境信息公开率) pools the government's disclosure plan and the enterprises:

    rate = (government on time + enterprise on time) / (government due + enterprise due)

each obligation counting once, whoever owes it (docs/enterprises.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

QUANT = Decimal("0.0001")


@dataclass(frozen=True)
class Obligation:
    key: object
    due_on: dt.date
    filed_on: dt.date | None


@dataclass
class ComplianceRate:
    year: int
    as_of: dt.date
    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0
    late_keys: list = field(default_factory=list)
    missing_keys: list = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        if not self.due:
            return None
        return (Decimal(self.on_time) / Decimal(self.due)).quantize(QUANT, rounding=ROUND_HALF_UP)


def compliance_rate(*, year: int, as_of: dt.date, obligations: list[Obligation]) -> ComplianceRate:
    result = ComplianceRate(year=year, as_of=as_of)
    for item in obligations:
        if item.due_on > as_of:
            result.not_yet_due += 1
            continue
        result.due += 1
        filed = item.filed_on if item.filed_on and item.filed_on <= as_of else None
        if filed is None:
            result.missing += 1
            result.missing_keys.append(item.key)
        elif filed <= item.due_on:
            result.on_time += 1
        else:
            result.late += 1
            result.late_keys.append(item.key)
    return result
