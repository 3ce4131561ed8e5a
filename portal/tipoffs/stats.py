"""Public statistics of the reports: counts, acceptance rate, on-time rate, median days, satisfaction.

Definitions (also in docs/tipoffs.md):
- acceptance rate = accepted reports / reports decided (accepted or not accepted); merged
  duplicates and reports still awaiting a decision are left out;
- on-time rate = reports answered by their handling deadline / (answered reports + open reports
  already past their deadline) — an open overdue report counts as late;
- median days to resolve = median calendar days from acceptance to the answer;
- satisfaction = mean of the reporters' 1–5 ratings, and the share of 4s and 5s.
Computed from one values() query and cached for 10 minutes.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from portal.localize import localized_name
from portal.tipoffs.models import OPEN_STATES, Category, State, Tipoff

CACHE_KEY = "tipoffs:public-stats:v1"
DECIDED = {
    State.ACCEPTED,
    State.ASSIGNED,
    State.INVESTIGATING,
    State.RESOLVED,
    State.CLOSED,
    State.REOPENED,
}


def compute(*, today: dt.date | None = None, months: int = 12) -> dict:
    today = today or timezone.localdate()
    top_names = {}
    for category in Category.objects.select_related("parent"):
        top_names[category.pk] = localized_name(category.top)  # English under /en/
    rows = Tipoff.objects.values_list(
        "category_id",
        "subdistrict__name",
        "submitted_at",
        "state",
        "accepted_at",
        "resolved_at",
        "handling_due",
        "due_date",
        "rating",
    )
    by_category: Counter = Counter()
    by_subdistrict: Counter = Counter()
    by_month: Counter = Counter()
    accepted = not_accepted = on_time = late = 0
    durations: list[int] = []
    ratings: list[int] = []
    index = today.year * 12 + today.month - 1 - (months - 1)
    first_month = dt.date(index // 12, index % 12 + 1, 1)
    for (
        category_id,
        subdistrict,
        submitted_at,
        state,
        accepted_at,
        resolved_at,
        handling_due,
        due,
        rating,
    ) in rows:
        if state == State.MERGED:
            continue
        by_category[top_names.get(category_id, "?")] += 1
        by_subdistrict[subdistrict] += 1
        month = timezone.localtime(submitted_at).date().replace(day=1)
        if month >= first_month:
            by_month[month] += 1
        if state == State.NOT_ACCEPTED:
            not_accepted += 1
        elif state in DECIDED:
            accepted += 1
        if resolved_at is not None and handling_due is not None:
            if timezone.localdate(resolved_at) <= handling_due:
                on_time += 1
            else:
                late += 1
            if accepted_at is not None:
                durations.append((resolved_at - accepted_at).days)
        elif state in OPEN_STATES and due is not None and due < today:
            late += 1
        if rating:
            ratings.append(rating)
    month_keys = []
    cursor = first_month
    while cursor <= today:
        month_keys.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    total = sum(by_category.values())
    return {
        "total": total,
        "by_category": by_category.most_common(),
        "by_subdistrict": by_subdistrict.most_common(),
        "by_month": [(m.strftime("%Y-%m"), by_month.get(m, 0)) for m in month_keys],
        "acceptance_rate": _rate(accepted, accepted + not_accepted),
        "on_time_rate": _rate(on_time, on_time + late),
        "on_time": on_time,
        "late": late,
        "median_days": statistics.median(durations) if durations else None,
        "satisfaction": round(statistics.fmean(ratings), 2) if ratings else None,
        "satisfied_share": _rate(sum(1 for r in ratings if r >= 4), len(ratings)),
        "ratings": len(ratings),
        "as_of": today.isoformat(),
    }


def _rate(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def bars(pairs, *, width: int = 100) -> list[dict]:
    """Rows for a hand-drawn SVG bar chart: label, value and bar length in percent."""
    top = max((value for _label, value in pairs), default=0) or 1
    return [
        {"label": label, "value": value, "pct": round(width * value / top, 1)}
        for label, value in pairs
    ]


def public_stats() -> dict:
    key = f"{CACHE_KEY}:{get_language()}"  # category names are in the interface language
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, 600)
    return {
        **data,
        "category_bars": bars(data["by_category"]),
        "subdistrict_bars": bars(data["by_subdistrict"]),
        "month_bars": bars(data["by_month"]),
    }
