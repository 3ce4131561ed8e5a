"""Reads of the disclosure module: constant-query lists and dashboards, access-checked loaders."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property

from disclosure import deadlines, rates
from disclosure.models import (
    DisclosureCategory,
    DisclosureIndexPage,
    DisclosureItemPage,
    DisclosureItemVersion,
    DisclosurePlan,
    DisclosurePlanEntry,
    DisclosureRequest,
    Indicator,
    IndicatorReading,
    KeyProject,
    ProjectSystem,
)
from disclosure.policies import request_policy
from disclosure.services import _external_value, latest_indicator_value, status_for
from disclosure.values import parse_number, parse_threshold
from portal import codes
from portal.models import Department

ITEMS_PER_PAGE = 20

# --- Catalogue ------------------------------------------------------------------------------


#: Largest id a filter may name: bigger numbers cannot exist and overflow the database driver.
MAX_ID = 2**31 - 1


def _int_param(params, name) -> int | None:
    try:
        value = int(params.get(name, ""))
    except (TypeError, ValueError):
        return None
    return value if 0 < value <= MAX_ID else None


def catalogue_items(
    *, index: DisclosureIndexPage | None, category_id=None, year=None, department_id=None
):
    items = DisclosureItemPage.objects.live().public()
    if index is not None:
        items = items.child_of(index)
    if category_id:
        items = items.filter(category_id=category_id)
    if year:
        items = items.filter(publication_date__year=year)
    if department_id:
        items = items.filter(department_id=department_id)
    # page_ptr (the item table's own key, equal to pk) so the order matches an index.
    return items.select_related("department", "category").order_by(
        "-publication_date", "-page_ptr_id"
    )


CATALOGUE_ROW_FIELDS = (
    "id",
    "title",
    "url_path",
    "path",
    "depth",
    "slug",
    "index_number",
    "publication_date",
    "document_number",
    "validity",
    "department__name",
    "department__short_name",
    "category__name",
)


class CataloguePaginator(Paginator):
    """Pages over the ordered ids only, then loads the page's rows by primary key.

    Sorting and skipping thus never carry the wide page columns (deep pages stay cheap), and the
    total comes from the cache under ``count_key`` when one is given (the key changes whenever
    the facets are dropped, i.e. on every publish/unpublish; see signals.py).
    """

    def __init__(self, items, per_page, *, count_key: str | None = None):
        super().__init__(items.values_list("pk", flat=True), per_page)
        self._rows = items.only(*CATALOGUE_ROW_FIELDS).order_by()
        self._count_key = count_key

    @cached_property
    def count(self) -> int:
        if self._count_key is None:
            return super().count
        return cache.get_or_set(self._count_key, self.object_list.count, FACETS_CACHE_SECONDS)

    def _get_page(self, object_list, number, paginator):
        ids = list(object_list)
        rows = self._rows.in_bulk(ids) if ids else {}
        return super()._get_page([rows[pk] for pk in ids if pk in rows], number, paginator)


def catalogue_page_context(*, index: DisclosureIndexPage, params) -> dict:
    """Filters, counts and one page of items for the catalogue (a constant number of queries)."""
    category_id = _int_param(params, "category")
    year = _int_param(params, "year")
    if year is not None and year > 9999:
        year = None  # beyond what a date can hold
    department_id = _int_param(params, "department")
    items = catalogue_items(
        index=index, category_id=category_id, year=year, department_id=department_id
    )
    facets = catalogue_facets(index=index)
    count_key = (
        f"disclosure:count:{index.pk}:{facets.get('generation', '')}:"
        f"{category_id or ''}:{year or ''}:{department_id or ''}"
    )
    paginator = CataloguePaginator(items, ITEMS_PER_PAGE, count_key=count_key)
    page = paginator.get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return {
        "items": page,
        "categories": facets["categories"],
        "years": facets["years"],
        "departments": facets["departments"],
        "selected": {"category": category_id, "year": year, "department": department_id},
        "filter_query": query.urlencode(),
    }


FACETS_CACHE_SECONDS = 300


def facets_cache_key(index_id: int) -> str:
    return f"disclosure:facets:{index_id}"


def catalogue_facets(*, index: DisclosureIndexPage) -> dict:
    """Categories with item counts, years and issuing bodies of the live items.

    Aggregates over the whole catalogue, so they are cached (shared cache) and dropped whenever
    an item is published or unpublished (see signals.py).
    """

    def compute() -> dict:
        live = DisclosureItemPage.objects.live().public().child_of(index)
        counts = dict(
            live.order_by()
            .values("category_id")
            .annotate(n=Count("id"))
            .values_list("category_id", "n")
        )
        categories = [
            {"pk": c.pk, "name": c.name, "item_count": counts.get(c.pk, 0)}
            for c in DisclosureCategory.objects.all()
        ]
        department_ids = set(live.order_by().values_list("department_id", flat=True).distinct())
        departments = [
            {"pk": d.pk, "name": d.name}
            for d in Department.objects.filter(pk__in=department_ids).order_by("sort_order", "code")
        ]
        return {
            "categories": categories,
            "years": _years(live),
            "departments": departments,
            # A fresh token each time the facets are recomputed; the cached page totals are
            # keyed by it, so dropping the facets drops them too.
            "generation": uuid.uuid4().hex,
        }

    return cache.get_or_set(facets_cache_key(index.pk), compute, FACETS_CACHE_SECONDS)


def _years(live) -> list[int]:
    return list(
        live.order_by()
        .annotate(y=ExtractYear("publication_date"))
        .values_list("y", flat=True)
        .distinct()
        .order_by("-y")
    )


def item_versions(*, item: DisclosureItemPage) -> list[DisclosureItemVersion]:
    return item.versions_newest_first()


def live_item_or_404(pk: int) -> DisclosureItemPage:
    if not 0 < pk <= MAX_ID:
        raise Http404
    return get_object_or_404(DisclosureItemPage.objects.live().public(), pk=pk)


# --- Indicators -----------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    parts: list = field(default_factory=list)
    readings: list = field(default_factory=list)
    current_text: str = ""
    current_status: str = ""
    current_period: str = ""
    current_source: str = ""
    current_note: str = ""  # where the current value comes from (e.g. the survey release)
    at_risk: bool = False
    risk_reason: str = ""
    chart: dict | None = None


def _chart(
    indicator: Indicator, readings: list[IndicatorReading], latest: tuple | None = None
) -> dict | None:
    """Points of a small SVG line chart: baseline (2020), numeric readings in order, then
    ``latest`` (period, value) when the current value comes from elsewhere (the survey)."""
    points = []
    base = parse_number(indicator.baseline_value)
    if base is not None:
        points.append(("2020", base))
    points += [(r.period, r.value) for r in readings if r.value is not None]
    if latest is not None and latest[0] not in {p for p, _v in points}:
        points.append(latest)
    if len(points) < 2:
        return None
    values = [float(v) for _p, v in points]
    threshold = parse_threshold(indicator.target_value)
    lo, hi = min(values), max(values)
    if threshold is not None:
        lo, hi = min(lo, float(threshold)), max(hi, float(threshold))
    if hi == lo:
        hi, lo = hi + 1, lo - 1
    width, height, pad = 240, 80, 8
    step = (width - 2 * pad) / (len(points) - 1)

    def y(v: float) -> float:
        return round(height - pad - (v - lo) / (hi - lo) * (height - 2 * pad), 1)

    coords = [(round(pad + i * step, 1), y(v)) for i, v in enumerate(values)]
    return {
        "width": width,
        "height": height,
        "polyline": " ".join(f"{x},{yy}" for x, yy in coords),
        "dots": [
            {"x": x, "y": yy, "label": p, "value": f"{Decimal(str(v)).normalize():f}"}
            for (x, yy), (p, v) in zip(coords, points, strict=True)
        ],
        "target_y": y(float(threshold)) if threshold is not None else None,
        "target": indicator.target_value,
    }


def indicator_dashboard() -> dict:
    """All indicators with their current status, grouped by field (four queries)."""
    indicators = list(Indicator.objects.prefetch_related("readings").order_by("number", "part"))
    rows: dict[int, IndicatorRow] = OrderedDict()
    for indicator in indicators:
        readings = sorted(indicator.readings.all(), key=lambda r: (r.period_end, r.pk))
        if indicator.part == 0:
            rows[indicator.number] = IndicatorRow(indicator=indicator, readings=readings)
        else:
            rows[indicator.number].parts.append(
                IndicatorRow(indicator=indicator, readings=readings)
            )
    for number, row in rows.items():
        ind = row.indicator
        external = _external_value(number) if number in (34, 35) else None
        if external:
            value = Decimal(str(external["value"]))
            row.current_text = f"{value.normalize():f}"
            row.current_status = external.get("status") or status_for(ind, value)
            row.current_period = str(external.get("period", ""))
            row.current_source = "survey"
            row.current_note = str(external.get("source_note", ""))
        elif row.readings:
            latest = row.readings[-1]
            row.current_text, row.current_status = latest.display_value, latest.status
            row.current_period, row.current_source = latest.period, "reading"
            row.current_note = latest.source_note
        else:
            row.current_text, row.current_status = ind.baseline_value, ind.baseline_status
            row.current_period, row.current_source = "2020", "baseline"
        for part in row.parts:
            if part.readings:
                part.current_text = part.readings[-1].display_value
                part.current_status = part.readings[-1].status
                part.current_period = part.readings[-1].period
            else:
                part.current_text, part.current_period = part.indicator.baseline_value, "2020"
            part.chart = _chart(part.indicator, part.readings)
        survey_point = (row.current_period, value) if external else None
        row.chart = _chart(ind, row.readings, latest=survey_point)
        # At risk: not met (or no data) now, or met but short of the 2025 planned value.
        if row.current_status == Indicator.Status.NOT_MET:
            row.at_risk, row.risk_reason = True, "not_met"
        elif row.current_status == Indicator.Status.NO_DATA:
            row.at_risk, row.risk_reason = True, "no_data"
        else:
            plan = parse_threshold(ind.planned_2025)
            current = parse_number(row.current_text)
            if plan is not None and current is not None and current < plan:
                row.at_risk, row.risk_reason = True, "below_plan"
    counts = dict.fromkeys(Indicator.Status.values, 0)
    groups: dict[str, dict] = OrderedDict(
        (value, {"label": label, "rows": [], "counts": dict.fromkeys(Indicator.Status.values, 0)})
        for value, label in Indicator.Field.choices
    )
    for row in rows.values():
        status = row.current_status if row.current_status in counts else Indicator.Status.NO_DATA
        counts[status] += 1
        group = groups[row.indicator.field]
        group["rows"].append(row)
        group["counts"][status] += 1
    return {
        "groups": list(groups.values()),
        "counts": counts,
        "total": len(rows),
        "at_risk": [row for row in rows.values() if row.at_risk],
    }


SNAPSHOT_CACHE_SECONDS = 60


def indicator_snapshot(numbers=(5, 34, 35)) -> list[dict]:
    """Current value of a few key indicators (cached for a minute in the shared cache)."""

    def compute() -> list[dict]:
        indicators = {
            i.number: i
            for i in Indicator.objects.filter(number__in=numbers, part=0).only(
                "number", "name", "unit", "target_value"
            )
        }
        out = []
        for number in numbers:
            value = latest_indicator_value(number) if number in indicators else None
            if value is not None:
                out.append({"indicator": indicators[number], "value": value})
        return out

    key = "disclosure:snapshot:" + ",".join(str(n) for n in numbers)
    return cache.get_or_set(key, compute, SNAPSHOT_CACHE_SECONDS)


# --- Key projects ---------------------------------------------------------------------------


def project_list(*, system_id=None, status=None, department_id=None):
    projects = KeyProject.objects.select_related("system").order_by("number")
    if system_id:
        projects = projects.filter(system_id=system_id)
    if status:
        projects = projects.filter(status=status)
    if department_id:
        projects = projects.filter(departments__id=department_id).distinct()
    return projects


@dataclass(frozen=True)
class SystemTotal:
    system: ProjectSystem
    planned: Decimal  # as stated in the plan's 表2
    listed: Decimal  # sum of the projects listed under the system in the 附表
    count: int

    @property
    def difference(self) -> Decimal:
        return self.listed - self.planned


def project_totals_by_system() -> tuple[list[SystemTotal], Decimal, Decimal]:
    """Per system: the plan's 表2 figure and the sum of the listed projects (one query)."""
    systems = list(
        ProjectSystem.objects.annotate(
            listed=Sum("projects__total_investment"), n=Count("projects")
        )
    )
    totals = [
        SystemTotal(
            system=s, planned=s.planned_investment, listed=s.listed or Decimal("0"), count=s.n
        )
        for s in systems
    ]
    return (
        totals,
        sum((t.planned for t in totals), Decimal("0")),
        sum((t.listed for t in totals), Decimal("0")),
    )


# --- Plan and rate --------------------------------------------------------------------------


def plan_rate(*, year: int, as_of: dt.date | None = None):
    """The disclosure rate of ``year``'s plan as of ``as_of`` with the entries behind it."""
    as_of = as_of or timezone.localdate()
    entries = list(
        DisclosurePlanEntry.objects.filter(plan__year=year)
        .select_related("category", "department", "item")
        .order_by("due_on", "pk")
    )
    outcomes = [
        rates.EntryOutcome(
            key=entry.pk,
            due_on=entry.due_on,
            published_on=entry.item.publication_date if entry.item and entry.item.live else None,
        )
        for entry in entries
    ]
    result = rates.disclosure_rate(year=year, as_of=as_of, entries=outcomes)
    by_pk = {e.pk: e for e in entries}
    return (
        result,
        [by_pk[k] for k in result.late_keys],
        [by_pk[k] for k in result.missing_keys],
        entries,
    )


def plan_years() -> list[int]:
    return list(DisclosurePlan.objects.order_by("-year").values_list("year", flat=True))


# --- Requests -------------------------------------------------------------------------------


def can_process_requests(user) -> bool:
    """Officers and administrators by their group (or the permission granted explicitly);
    superuser status alone is not a role (requests carry the applicant's identity)."""
    return request_policy.user_has_permission(user, "process")


def requests_for_user(*, user):
    """The requests ``user`` may see in the admin: officers and administrators see all."""
    return request_policy.instances_user_has_permission_for(user, "process").select_related(
        "department"
    )


def request_for_user(*, user, pk: int) -> DisclosureRequest:
    return get_object_or_404(requests_for_user(user=user), pk=pk)


def request_queues(*, user, today: dt.date | None = None) -> dict:
    """Open requests split into overdue, due soon (≤ 5 working days left) and the rest."""
    today = today or timezone.localdate()
    open_requests = list(
        requests_for_user(user=user)
        .exclude(status__in=[DisclosureRequest.Status.REPLIED, DisclosureRequest.Status.CLOSED])
        .order_by("due_on", "pk")
    )
    calendar = deadlines.WorkdayCalendar()
    queues = {"overdue": [], "due_soon": [], "paused": [], "other": []}
    for request in open_requests:
        if request.due_on is None or request.status in (
            DisclosureRequest.Status.SUPPLEMENT_REQUESTED,
            DisclosureRequest.Status.IN_CONSULTATION,
        ):
            request.days_left = None
            request.days_overdue = 0
            queues["paused"].append(request)
            continue
        request.days_left = calendar.working_days_between(today, request.due_on)
        request.days_overdue = -request.days_left if request.days_left < 0 else 0
        if request.due_on < today:
            queues["overdue"].append(request)
        elif request.days_left <= deadlines.DUE_SOON_DAYS:
            queues["due_soon"].append(request)
        else:
            queues["other"].append(request)
    return queues


def request_for_applicant(*, tracking_number: str, id_last4: str) -> DisclosureRequest | None:
    """The request matching both the tracking number and the last 4 ID characters, else None."""
    tracking_number = codes.normalise_code(tracking_number)
    id_last4 = (id_last4 or "").strip().upper()
    if not tracking_number or len(id_last4) != 4:
        return None
    return (
        DisclosureRequest.objects.filter(tracking_number=tracking_number, id_last4=id_last4)
        .prefetch_related("events")
        .first()
    )


# --- Start page counts (portal_home_panels) ---------------------------------------------------


def officer_home_counts(*, user, today: dt.date) -> dict:
    """The disclosure officer's start page: requests overdue and due soon, this month's plan
    entries (and how many are still unpublished), indicators without a reading this year."""
    queues = request_queues(user=user, today=today)
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    entries = DisclosurePlanEntry.objects.filter(
        due_on__gte=month_start, due_on__lt=next_month
    ).aggregate(due=Count("pk"), unpublished=Count("pk", filter=Q(item__isnull=True)))
    this_year = IndicatorReading.objects.filter(
        indicator=OuterRef("pk"), period_end__year=today.year
    )
    parts = Indicator.objects.filter(parent=OuterRef("pk"))
    missing = Indicator.objects.filter(~Exists(this_year), ~Exists(parts)).count()
    plan = DisclosurePlan.objects.filter(year=today.year).values_list("pk", flat=True).first()
    return {
        "overdue": len(queues["overdue"]),
        "due_soon": len(queues["due_soon"]),
        "plan_due": entries["due"],
        "plan_unpublished": entries["unpublished"],
        "plan_id": plan,
        "indicators_without_reading": missing,
    }
