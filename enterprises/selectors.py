"""Access-checked loaders and the read-side computations (public list, queue, compliance)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from enterprises import charts, deadlines, rates, values
from enterprises.models import (
    AnnualReport,
    Enterprise,
    LegalDocument,
    MonitoringResult,
    OutletLimit,
    ReportAttachment,
    ReportVersion,
    TemporaryReport,
)
from enterprises.policies import enterprise_policy

# --- The public side --------------------------------------------------------------------------


def public_enterprises(
    *,
    q: str = "",
    subdistrict: str = "",
    industry: str = "",
    filer: str = "",
    year: int | None = None,
):
    """Published enterprises: on the list (any year, or ``year``'s) or voluntary carbon filers."""
    qs = Enterprise.objects.published().select_related("subdistrict")
    voluntary = Q(listed_from__isnull=True, reports__versions__isnull=False)
    if year:
        listed = Q(listed_from__lte=year) & (
            Q(listed_until__isnull=True) | Q(listed_until__gte=year)
        )
    else:
        listed = Q(listed_from__isnull=False)
    if filer == "mandatory":
        qs = qs.filter(listed)
    elif filer == "voluntary":
        qs = qs.filter(voluntary)
    else:
        qs = qs.filter(listed | voluntary)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(credit_code__iexact=q.upper()) | Q(address__icontains=q)
        )
    if subdistrict:
        qs = qs.filter(subdistrict__code=subdistrict)
    if industry:
        qs = qs.filter(industry=industry)
    return qs.distinct().order_by("name")


def public_enterprise(credit_code: str) -> Enterprise:
    return get_object_or_404(Enterprise.objects.published(), credit_code=credit_code.upper())


def published_versions(enterprise: Enterprise):
    """Every submitted version, by year (newest first) then version."""
    return (
        ReportVersion.objects.filter(report__enterprise=enterprise)
        .select_related("report")
        .order_by("-report__year", "-number")
    )


def latest_versions(enterprise: Enterprise) -> list[ReportVersion]:
    """The newest version of each year's report."""
    seen, rows = set(), []
    for version in published_versions(enterprise):
        if version.report_id not in seen:
            seen.add(version.report_id)
            rows.append(version)
    return rows


def public_version(
    enterprise: Enterprise, year: int, number: int | None
) -> tuple[AnnualReport, ReportVersion]:
    report = get_object_or_404(AnnualReport, enterprise=enterprise, year=year)
    versions = report.versions_newest_first()
    version = get_object_or_404(versions, number=number) if number else versions.first()
    if version is None:
        from django.http import Http404

        raise Http404
    return report, version


@dataclass
class Series:
    outlet: object
    pollutant: str
    label: str
    unit: str
    limit: object
    results: list
    chart: object
    exceedances: list


def monitoring_series(
    enterprise: Enterprise, *, days: int = 31, today: dt.date | None = None
) -> list[Series]:
    """One series per outlet and pollutant with a limit: the last ``days`` days of results."""
    end = (
        timezone.now()
        if today is None
        else timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    )
    start = end - dt.timedelta(days=days)
    series = []
    limits = (
        OutletLimit.objects.filter(outlet__enterprise=enterprise)
        .select_related("outlet")
        .order_by("outlet__code", "pollutant")
    )
    for limit in limits:
        results = list(
            MonitoringResult.objects.filter(
                outlet=limit.outlet,
                pollutant=limit.pollutant,
                measured_at__gte=start,
                measured_at__lte=end,
            ).order_by("measured_at")
        )
        if not results:
            continue
        chart = charts.build([(r.measured_at, r.value, r.exceeded) for r in results], limit.limit)
        series.append(
            Series(
                outlet=limit.outlet,
                pollutant=limit.pollutant,
                label=values.pollutant_label(limit.pollutant),
                unit=limit.unit,
                limit=limit.limit,
                results=results,
                chart=chart,
                exceedances=[r for r in results if r.exceeded],
            )
        )
    return series


def exceedances(enterprise: Enterprise, *, limit: int = 50):
    return (
        MonitoringResult.objects.filter(outlet__enterprise=enterprise, exceeded=True)
        .select_related("outlet")
        .order_by("-measured_at")[:limit]
    )


def temporary_reports(enterprise: Enterprise):
    return (
        TemporaryReport.objects.filter(enterprise=enterprise)
        .prefetch_related("attachments")
        .order_by("-received_on", "-pk")
    )


def open_documents(enterprise: Enterprise | None = None):
    """Registered legal documents (not withdrawn) no temporary report answers yet, oldest
    deadline first; for one enterprise or all."""
    qs = LegalDocument.objects.filter(
        withdrawn_at__isnull=True, temporary_report__isnull=True
    ).select_related("enterprise")
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    return qs.order_by("due_on", "pk")


def overdue_documents(enterprise: Enterprise, *, today: dt.date | None = None):
    """What the public page lists as 应披露未披露: registered documents past their deadline."""
    return open_documents(enterprise).filter(due_on__lt=today or timezone.localdate())


def version_attachments(version: ReportVersion) -> list[dict]:
    """The files a version was submitted with, as frozen (title, name, hash) with the id to
    download them by; a row deleted since (never, while a version names it) is left out."""
    ids = {a["id"] for a in version.attachments}
    sizes = dict(ReportAttachment.objects.filter(pk__in=ids).values_list("pk", "size"))
    return [dict(a, size=sizes[a["id"]]) for a in version.attachments if a["id"] in sizes]


def attachment(pk: int) -> ReportAttachment:
    return get_object_or_404(ReportAttachment.objects.select_related("enterprise", "report"), pk=pk)


# --- Enterprise accounts ----------------------------------------------------------------------


def filing_enterprises(user):
    """The enterprises ``user`` files for (empty for anyone else)."""
    return enterprise_policy.instances_user_has_permission_for(user, "file").order_by("name")


def filing_enterprise(user, pk: int) -> Enterprise:
    """An enterprise the user files for; 403 for another enterprise (it exists, but not theirs)."""
    enterprise = get_object_or_404(Enterprise, pk=pk)
    if not enterprise_policy.user_has_permission_for_instance(user, "file", enterprise):
        raise PermissionDenied
    return enterprise


def default_report_year(today: dt.date | None = None) -> int:
    """The year whose annual report is being filed now: last year."""
    return (today or timezone.localdate()).year - 1


# --- Supervision ------------------------------------------------------------------------------


@dataclass
class QueueRow:
    enterprise: Enterprise
    report: AnnualReport | None
    first: ReportVersion | None
    due_on: dt.date
    state: str


def supervision_queue(*, year: int, today: dt.date | None = None) -> list[QueueRow]:
    """Every enterprise on ``year``'s list with the state of its annual report on ``year``."""
    today = today or timezone.localdate()
    due_on = deadlines.annual_due(year)
    reports = {
        r.enterprise_id: r
        for r in AnnualReport.objects.filter(year=year).prefetch_related("versions")
    }
    rows = []
    for enterprise in Enterprise.objects.listed_in(year).select_related("subdistrict"):
        report = reports.get(enterprise.pk)
        first = (
            min(report.versions.all(), key=lambda v: v.number)
            if report and report.versions.all()
            else None
        )
        state = deadlines.clock_state(
            due_on=due_on,
            filed_on=timezone.localdate(first.submitted_at) if first else None,
            today=today,
        )
        rows.append(QueueRow(enterprise, report, first, due_on, state))
    order = {"missing": 0, "late": 1, "due_soon": 2, "open": 3, "on_time": 4}
    return sorted(rows, key=lambda r: (order[r.state], r.enterprise.name))


def late_temporary_reports():
    return (
        TemporaryReport.objects.filter(is_late=True)
        .select_related("enterprise")
        .order_by("-received_on")
    )


def document_rows(*, today: dt.date | None = None) -> list[tuple[LegalDocument, str]]:
    """Registered documents with nothing filed, and their clock state ("missing", "due_soon" or
    "open"), the overdue first: the bureau's temporary-report queue."""
    today = today or timezone.localdate()
    rows = [
        (d, deadlines.clock_state(due_on=d.due_on, filed_on=None, today=today))
        for d in open_documents()
    ]
    order = {"missing": 0, "due_soon": 1, "open": 2}
    return sorted(rows, key=lambda r: (order[r[1]], r[0].due_on))


def compliance(*, year: int, as_of: dt.date | None = None) -> rates.ComplianceRate:
    """The compliance rate of due year ``year`` (see ``enterprises.rates``)."""
    as_of = as_of or timezone.localdate()
    obligations = []
    report_year = year - 1
    due_on = deadlines.annual_due(report_year)
    firsts = {
        v.report.enterprise_id: v
        for v in ReportVersion.objects.filter(report__year=report_year, number=1).select_related(
            "report"
        )
    }
    for enterprise in Enterprise.objects.listed_in(report_year):
        first = firsts.get(enterprise.pk)
        obligations.append(
            rates.Obligation(
                key=("annual", enterprise.pk),
                due_on=due_on,
                filed_on=timezone.localdate(first.submitted_at) if first else None,
            )
        )
    for report in TemporaryReport.objects.filter(due_on__year=year):
        obligations.append(
            rates.Obligation(
                key=("temporary", report.pk),
                due_on=report.due_on,
                filed_on=timezone.localdate(report.submitted_at),
            )
        )
    # Documents the bureau registered and no report answers: due all the same (missing until
    # filed); an answered one is counted once, through its report above.
    for document in open_documents().filter(due_on__year=year):
        obligations.append(
            rates.Obligation(key=("document", document.pk), due_on=document.due_on, filed_on=None)
        )
    return rates.compliance_rate(year=year, as_of=as_of, obligations=obligations)


def indicator_part(*, as_of: dt.date | None = None) -> tuple[int, rates.ComplianceRate] | None:
    """The latest due year with anything due by ``as_of`` and its compliance (indicator 5)."""
    as_of = as_of or timezone.localdate()
    for year in (as_of.year, as_of.year - 1):
        result = compliance(year=year, as_of=min(as_of, dt.date(year, 12, 31)))
        if result.due:
            return year, result
    return None


# --- The tip-off form's look-up (a resident reporting a factory sees its disclosures) ----------

#: Exceedances are counted over this many days before the look-up.
LOOKUP_EXCEEDANCE_DAYS = 90
#: Temporary reports shown per enterprise, newest first.
LOOKUP_TEMPORARY_REPORTS = 3
#: Candidates read before ranking (the district's list has a few hundred enterprises at most).
LOOKUP_CANDIDATES = 50

# What residents add to or leave out of a name ("东区钢铁厂" for "示例·东区钢铁有限公司").
_NAME_NOISE = ("·", "•", "・", " ", "\u3000")
_NAME_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "集团",
    "公司",
    "总厂",
    "分厂",
    "工厂",
    "厂",
)
_LEADING_SUBDISTRICT = r"^[\u4e00-\u9fff]{1,8}?(?:街道|镇|乡)"
#: The shortest address core (after the district and sub-district) that may name a site.
_ADDRESS_CORE_MIN = 4


@dataclass
class LatestDisclosures:
    """What the tip-off form shows of one matching enterprise: its latest annual report version
    (submitted versions only), its newest temporary reports, and its exceedances over the last
    ``days`` days (count and the latest)."""

    enterprise: Enterprise
    annual: ReportVersion | None
    first_late: bool
    temporary: list
    exceedance_count: int
    latest_exceedance: MonitoringResult | None
    has_monitoring: bool
    days: int

    @property
    def corrected(self) -> bool:
        return bool(self.annual and self.annual.number > 1)

    @property
    def voluntary(self) -> bool:
        return self.enterprise.listed_from is None


def _plain_name(text: str) -> str:
    for noise in _NAME_NOISE:
        text = text.replace(noise, "")
    return text


def lookup_name_cores(q: str) -> list[str]:
    """The strings a name query is matched with: as typed (without spaces and middle dots) and
    without a company-form suffix; each of at least two characters."""
    plain = _plain_name(q or "")
    cores = [plain]
    for suffix in _NAME_SUFFIXES:
        if plain.endswith(suffix):
            cores.append(plain[: -len(suffix)])
            break
    return [core for core in dict.fromkeys(cores) if len(core) >= 2]


def _address_core(text: str, prefixes) -> str:
    """The address without spaces, the district's prefixes and a leading sub-district."""
    import re

    text = re.sub(r"\s+", "", text or "")
    for prefix in prefixes:
        if prefix and text.startswith(prefix):
            text = text[len(prefix) :]
    return re.sub(_LEADING_SUBDISTRICT, "", text, count=1)


def _name_matches(q: str) -> list[int]:
    """Published enterprises of the public list whose name contains the query (or one of its
    cores), or whose credit code is the query; the exact code first, then exact names, names
    that start with the query, the rest by name."""
    from django.db.models import Value
    from django.db.models.functions import Replace

    from enterprises.validators import normalize_credit_code

    cores = lookup_name_cores(q)
    code = normalize_credit_code(q or "")
    condition = Q(credit_code=code) if len(code) == 18 else Q()
    expression = "name"
    for noise in _NAME_NOISE:
        expression = Replace(expression, Value(noise), Value(""))
    for core in cores:
        condition |= Q(plain_name__icontains=core)
    if not condition:
        return []
    rows = list(
        public_enterprises()
        .annotate(plain_name=expression)
        .filter(condition)
        .values_list("pk", "credit_code", "name")[:LOOKUP_CANDIDATES]
    )
    typed = _plain_name(q or "")

    def rank(row):
        _pk, credit_code, name = row
        name = _plain_name(name)
        if credit_code == code:
            return (0, name)
        if name == typed:
            return (1, name)
        if name.startswith(typed) or any(name.startswith(c) for c in cores):
            return (2, name)
        return (3, name)

    return [row[0] for row in sorted(rows, key=rank)]


def _address_matches(address: str) -> list[int]:
    """Published enterprises of the public list whose address (without the district and the
    sub-district) appears in ``address``: "示例路1号" in "弄弄坪示例路1号大门对面"."""
    from portal.models import PortalSettings

    prefixes = PortalSettings.default_address_prefixes()
    typed = _address_core(address, prefixes)
    if len(typed) < _ADDRESS_CORE_MIN:
        return []
    found = []
    for pk, their_address in public_enterprises().exclude(address="").values_list("pk", "address"):
        core = _address_core(their_address, prefixes)
        if len(core) >= _ADDRESS_CORE_MIN and core in typed:
            found.append(pk)
    return found


def lookup_enterprise_ids(*, q: str = "", address: str = "") -> list[int]:
    """The enterprises matching a reported unit's name or credit code (``q``) and then those
    at the reported ``address``, best first, without repeats (at most ``LOOKUP_CANDIDATES``)."""
    ids = _name_matches(q) if q else []
    if address:
        ids += [pk for pk in _address_matches(address) if pk not in ids]
    return ids[:LOOKUP_CANDIDATES]


def latest_disclosures(
    ids, *, days: int = LOOKUP_EXCEEDANCE_DAYS, now: dt.datetime | None = None
) -> list[LatestDisclosures]:
    """``LatestDisclosures`` of the published enterprises ``ids``, in that order, in five
    queries whatever their number."""
    from django.db.models import Count, Exists, F, OuterRef, Subquery, Window
    from django.db.models.functions import RowNumber

    from enterprises.models import Outlet

    ids = list(ids)
    if not ids:
        return []
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    enterprises = {
        e.pk: e
        for e in Enterprise.objects.published()
        .filter(pk__in=ids)
        .select_related("subdistrict")
        .annotate(has_outlets=Exists(Outlet.objects.filter(enterprise=OuterRef("pk"))))
    }
    first_late = ReportVersion.objects.filter(report=OuterRef("report"), number=1).values(
        "is_late"
    )[:1]
    latest = {
        v.report.enterprise_id: v
        for v in ReportVersion.objects.filter(report__enterprise_id__in=list(enterprises))
        .select_related("report")
        .only(
            "number",
            "submitted_at",
            "is_late",
            "source",
            "reason",
            "report__year",
            "report__scope",
            "report__enterprise",
        )
        .annotate(
            first_late=Subquery(first_late),
            rank=Window(
                RowNumber(),
                partition_by=F("report__enterprise_id"),
                order_by=[F("report__year").desc(), F("number").desc()],
            ),
        )
        .filter(rank=1)
    }
    temporary: dict[int, list] = {}
    for report in (
        TemporaryReport.objects.filter(enterprise_id__in=list(enterprises))
        .only("enterprise_id", "document_kind", "document_number", "received_on", "is_late")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("enterprise_id"),
                order_by=[F("received_on").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=LOOKUP_TEMPORARY_REPORTS)
        .order_by("enterprise_id", "rank")
    ):
        temporary.setdefault(report.enterprise_id, []).append(report)
    exceedances = {
        r.outlet.enterprise_id: r
        for r in MonitoringResult.objects.filter(
            outlet__enterprise_id__in=list(enterprises),
            exceeded=True,
            measured_at__gte=since,
            measured_at__lte=now,
        )
        .select_related("outlet")
        .annotate(
            count=Window(Count("pk"), partition_by=F("outlet__enterprise_id")),
            rank=Window(
                RowNumber(),
                partition_by=F("outlet__enterprise_id"),
                order_by=[F("measured_at").desc(), F("pk").desc()],
            ),
        )
        .filter(rank=1)
    }
    rows = []
    for pk in ids:
        enterprise = enterprises.get(pk)
        if enterprise is None:
            continue
        version = latest.get(pk)
        exceedance = exceedances.get(pk)
        rows.append(
            LatestDisclosures(
                enterprise=enterprise,
                annual=version,
                first_late=bool(version and version.first_late),
                temporary=temporary.get(pk, []),
                exceedance_count=exceedance.count if exceedance else 0,
                latest_exceedance=exceedance,
                has_monitoring=enterprise.has_outlets,
                days=days,
            )
        )
    return rows
