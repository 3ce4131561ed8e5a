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
from django.utils.translation import gettext as _

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
from disclosure.services import current_indicator_value, latest_indicator_value
from disclosure.values import parse_number, parse_threshold
from portal import codes
from portal.integration import pooled_rate, rate_parts
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
            {"pk": c.pk, "name": c.name, "name_en": c.name_en, "item_count": counts.get(c.pk, 0)}
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
    verdict: object = None  # disclosure.values.Verdict of the current value
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


def indicator_row(number: int) -> IndicatorRow | None:
    """One indicator's dashboard row (its parts, current value, verdict and chart), built from
    that indicator's own rows only: the indicator page does not build the whole dashboard."""
    rows = _indicator_rows(Indicator.objects.filter(number=number))
    return rows.get(number)


def _indicator_rows(queryset) -> dict[int, IndicatorRow]:
    indicators = list(queryset.prefetch_related("readings").order_by("number", "part"))
    rows: dict[int, IndicatorRow] = OrderedDict()
    for indicator in indicators:
        readings = sorted(indicator.readings.all(), key=lambda r: (r.period_end, r.pk))
        if indicator.part == 0:
            rows[indicator.number] = IndicatorRow(indicator=indicator, readings=readings)
        else:
            rows[indicator.number].parts.append(
                IndicatorRow(indicator=indicator, readings=readings)
            )
    for row in rows.values():
        ind = row.indicator
        current = current_indicator_value(ind, readings=row.readings)
        row.current_text, row.current_status = current.text, current.status
        row.current_period, row.current_source = current.period, current.source
        row.current_note = current.source_note if current.source != "baseline" else ""
        row.verdict = current.verdict
        for part in row.parts:
            if part.readings:
                part.current_text = part.readings[-1].display_value
                part.current_status = part.readings[-1].status
                part.current_period = part.readings[-1].period
            else:
                part.current_text, part.current_period = part.indicator.baseline_value, "2020"
            part.chart = _chart(part.indicator, part.readings)
        survey_point = (
            (current.period, current.value) if current.source in ("survey", "plan") else None
        )
        row.chart = _chart(ind, row.readings, latest=survey_point)
        # 需关注 (the one rule, stated on the page): no current value, short of the national
        # indicator value, or short of the 2025 plan target.
        row.at_risk = current.verdict.needs_attention
        if row.at_risk:
            row.risk_reason = (
                "no_data"
                if not current.verdict.has_value
                else "not_met"
                if current.verdict.national == "not_met"
                else "below_plan"
            )
    return rows


def indicator_dashboard() -> dict:
    """All indicators with their current status, grouped by field (four queries)."""
    rows = _indicator_rows(Indicator.objects.all())
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


def official_rate_year(today: dt.date | None = None) -> int | None:
    """The latest plan year that has ended: its year-end rate is the official figure of
    indicator 5 (home card, indicator pages and annual report), None before the first."""
    today = today or timezone.localdate()
    return next((year for year in plan_years() if year < today.year), None)


def rate_indicator_value() -> dict | None:
    """Indicator 5's current value from the disclosure plan (the ``indicator_sources`` hook):
    the latest ended plan year's rate at its year end — the number the rate page and the annual
    report show for that year. None when there is no ended plan year, nothing was due, or an
    officer has entered a reading for a later period."""
    year = official_rate_year()
    if year is None:
        return None
    as_of = rates.official_as_of(year)
    if IndicatorReading.objects.filter(
        indicator__number=rates.RATE_INDICATOR, indicator__part=0, period_end__gt=as_of
    ).exists():
        return None
    result, _late, _missing, _entries = plan_rate(year=year, as_of=as_of)
    if result.rate is None:
        return None
    note = _(
        "Annual disclosure plan %(year)s: entries published on time out of the entries "
        "due, as of %(date)s (year end); the same figure as the disclosure rate page and "
        "the annual report."
    ) % {"year": year, "date": as_of.isoformat()}
    # Other kinds of obligation due the same year (the enterprises' legal disclosures, via the
    # ``disclosure_rate_parts`` hook) are pooled with the plan (docs/enterprises.md); without
    # any, the value is the plan's own rate, the figure the rate page and annual report print.
    rate = result.rate
    others = [part for part in rate_parts(as_of) if part.year == year and part.due]
    if others:
        rate = pooled_rate([(result.due, result.on_time), *((p.due, p.on_time) for p in others)])
    for part in others:
        note += " " + _("Pooled with %(label)s: %(on_time)s of %(due)s on time.") % {
            "label": part.label,
            "on_time": part.on_time,
            "due": part.due,
        }
    return {
        "value": (rate * 100).quantize(Decimal("0.01")),
        "period": str(year),
        "kind": "plan",
        "as_of": as_of,
        "source_note": note,
    }


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


#: The request queue's named lists (``?queue=…``), as the officer's start panel links them.
REQUEST_QUEUES = ("open", "overdue", "due_soon", "paused", "answered", "all")


def in_request_queue(queryset, queue: str, *, today: dt.date | None = None):
    """``queryset`` narrowed to one named queue, with the same rules as ``request_queues``:
    a request whose clock is stopped (supplement, consultation) or not yet running is "paused";
    a running one is overdue after its due day, due soon with at most ``DUE_SOON_DAYS`` working
    days left, and otherwise just open. "answered" is replied or closed."""
    today = today or timezone.localdate()
    Status = DisclosureRequest.Status
    answered = Q(status__in=[Status.REPLIED, Status.CLOSED])
    paused = Q(status__in=[Status.SUPPLEMENT_REQUESTED, Status.IN_CONSULTATION]) | Q(
        due_on__isnull=True
    )
    if queue == "all":
        return queryset
    if queue == "answered":
        return queryset.filter(answered)
    if queue == "open":
        return queryset.exclude(answered)
    if queue == "paused":
        return queryset.exclude(answered).filter(paused)
    running = queryset.exclude(answered).exclude(paused)
    if queue == "overdue":
        return running.filter(due_on__lt=today)
    if queue == "due_soon":
        # At most DUE_SOON_DAYS working days in (today, due_on]: before the next working day.
        limit = deadlines.WorkdayCalendar().add_working_days(today, deadlines.DUE_SOON_DAYS + 1)
        return running.filter(due_on__gte=today, due_on__lt=limit)
    raise ValueError(f"unknown request queue {queue!r}")


def working_days_left(request, *, today: dt.date, calendar=None) -> int | None:
    """Working days until the request is due (negative: overdue); None while its clock is
    stopped or once it is answered."""
    Status = DisclosureRequest.Status
    if not request.is_open or request.due_on is None:
        return None
    if request.status in (Status.SUPPLEMENT_REQUESTED, Status.IN_CONSULTATION):
        return None
    return (calendar or deadlines.WorkdayCalendar()).working_days_between(today, request.due_on)


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


def requests_of(*, user):
    """The requests filed from ``user``'s account (我的), newest first; none for visitors."""
    if not getattr(user, "is_authenticated", False):
        return DisclosureRequest.objects.none()
    return DisclosureRequest.objects.filter(user=user).order_by("-received_on", "-pk")


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


# --- the applicant's ID number: masked, revealed only by permission and logged --------------


def can_reveal_id_number(user) -> bool:
    return request_policy.user_has_permission(user, "reveal_id_number")


def reveal_id_number(*, user, request_obj: DisclosureRequest, purpose: str) -> str:
    """The full ID number, for a user whose policy allows the reveal; every reveal is logged
    (portal.privacy.DataReveal). PermissionDenied otherwise."""
    from django.core.exceptions import PermissionDenied

    from portal.privacy.masking import reveal

    if not can_reveal_id_number(user):
        raise PermissionDenied
    return reveal(
        actor=user,
        record=f"disclosure.DisclosureRequest:{request_obj.tracking_number}",
        field="id_number",
        value=request_obj.id_number,
        purpose=purpose or "verify applicant",
    )
