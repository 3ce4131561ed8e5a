"""The tip-off form's enterprise look-up: a resident who names the unit they report sees the
matching enterprises of the public list with their latest disclosures (issue 19, part 5).

``lookup`` (``GET /enterprises/lookup/?q=``) answers the form's script with JSON; ``form_aid``
gives the same matches to the server — the form sent back, the staff case page — through the
``tipoff_form_aids`` hook (``portal.integration``). Both show public information only
(published enterprises, submitted report versions), and neither stores nor logs what was typed.

Caching: the answers are the same for everyone, but the query is free text, so it is never put
in the shared page cache (the project's rule for searches, see ``tipoffs:cases``), and the
enterprise data does not bump the page cache's content version. The browser may keep an answer
for ``BROWSER_MAX_AGE`` seconds (``private``), which spares a request when the resident deletes
what they just typed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from enterprises import selectors
from enterprises.models import AnnualReport, Enterprise, ReportVersion
from portal import ratelimit
from portal.integration import AidCard, AidLine, TipoffFormAid

MIN_QUERY = 2
MAX_QUERY = Enterprise._meta.get_field("name").max_length
#: Enterprises shown; more are on the searchable list.
SHOWN = 5
BROWSER_MAX_AGE = 60


def normalize_query(text: str) -> str:
    return " ".join((text or "").split())


def query_problem(q: str) -> str:
    """Why ``q`` (normalised) cannot be looked up, or ""."""
    if "\x00" in q:
        return _("The query contains a character that is not allowed.")
    if len(q) < MIN_QUERY:
        return _("Type at least %(n)s characters.") % {"n": MIN_QUERY}
    if len(q) > MAX_QUERY:
        return _("Type at most %(n)s characters.") % {"n": MAX_QUERY}
    return ""


def list_url(q: str = "") -> str:
    """The searchable list, searching for the typed name without its company form."""
    url = reverse("enterprises:index")
    cores = selectors.lookup_name_cores(q) if q else []
    return f"{url}?{urlencode({'q': cores[-1]})}" if cores else url


def _number(value) -> str:
    return format(value.normalize(), "f")


def _annual(row: selectors.LatestDisclosures) -> dict | None:
    version: ReportVersion | None = row.annual
    if version is None:
        return None
    code = row.enterprise.credit_code
    return {
        "year": version.report.year,
        "version": version.number,
        "submitted_on": timezone.localdate(version.submitted_at).isoformat(),
        "late": row.first_late,
        "corrected": row.corrected,
        "imported": version.source == ReportVersion.Source.IMPORT,
        "carbon_only": version.report.scope == AnnualReport.Scope.CARBON,
        "url": reverse(
            "enterprises:report_version", args=[code, version.report.year, version.number]
        ),
    }


def _temporary(row: selectors.LatestDisclosures) -> list[dict]:
    url = reverse("enterprises:detail", args=[row.enterprise.credit_code]) + "#temporary-heading"
    return [
        {
            "kind": report.get_document_kind_display(),
            "document_number": report.document_number,
            "received_on": report.received_on.isoformat(),
            "late": report.is_late,
            "url": url,
        }
        for report in row.temporary
    ]


def _monitoring(row: selectors.LatestDisclosures) -> dict:
    latest = row.latest_exceedance
    return {
        "registered": row.has_monitoring,
        "days": row.days,
        "exceedances": row.exceedance_count,
        "latest": {
            "measured_at": timezone.localtime(latest.measured_at).strftime("%Y-%m-%d %H:%M"),
            "outlet": latest.outlet.code,
            "pollutant": latest.pollutant_label,
            "value": _number(latest.value),
            "unit": latest.unit,
            "limit": _number(latest.limit),
        }
        if latest
        else None,
        "url": reverse("enterprises:monitoring", args=[row.enterprise.credit_code])
        if row.has_monitoring
        else "",
    }


def as_dict(row: selectors.LatestDisclosures) -> dict:
    """One match as data (the JSON's result, and what ``card`` shows)."""
    enterprise = row.enterprise
    return {
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "industry": enterprise.get_industry_display(),
        "subdistrict": enterprise.subdistrict.name if enterprise.subdistrict else "",
        "voluntary": row.voluntary,
        "url": reverse("enterprises:detail", args=[enterprise.credit_code]),
        "annual_report": _annual(row),
        "temporary_reports": _temporary(row),
        "monitoring": _monitoring(row),
    }


def card(data: dict) -> AidCard:
    """The match as the tip-off form shows it (labels in the request's language)."""
    lines = []
    annual = data["annual_report"]
    if annual:
        marks = []
        if annual["late"]:
            marks.append(_("late"))
        if annual["corrected"]:
            marks.append(_("corrected"))
        if annual["imported"]:
            marks.append(_("Imported by the bureau"))
        lines.append(
            AidLine(
                label=_("Latest annual report"),
                text=_("%(year)s report, version %(number)s, submitted on %(date)s")
                % {
                    "year": annual["year"],
                    "number": annual["version"],
                    "date": annual["submitted_on"],
                },
                marks=marks,
                links=[(_("Read the report"), annual["url"])],
            )
        )
    else:
        lines.append(
            AidLine(
                label=_("Latest annual report"),
                text=_("No annual report has been submitted yet."),
            )
        )
    for report in data["temporary_reports"]:
        lines.append(
            AidLine(
                label=_("Temporary report"),
                text=_("%(kind)s, received on %(date)s")
                % {"kind": report["kind"], "date": report["received_on"]},
                marks=[_("late")] if report["late"] else [],
                links=[(report["document_number"], report["url"])],
            )
        )
    monitoring = data["monitoring"]
    if not monitoring["registered"]:
        lines.append(
            AidLine(label=_("Self-monitoring"), text=_("No monitoring outlets are registered."))
        )
    else:
        latest = monitoring["latest"]
        if latest:
            text = ngettext(
                "%(n)s result above the limit in the last %(days)s days. Latest: %(when)s, "
                "%(outlet)s %(pollutant)s %(value)s %(unit)s (limit %(limit)s).",
                "%(n)s results above the limit in the last %(days)s days. Latest: %(when)s, "
                "%(outlet)s %(pollutant)s %(value)s %(unit)s (limit %(limit)s).",
                monitoring["exceedances"],
            ) % {
                "n": monitoring["exceedances"],
                "days": monitoring["days"],
                "when": latest["measured_at"],
                "outlet": latest["outlet"],
                "pollutant": latest["pollutant"],
                "value": latest["value"],
                "unit": latest["unit"],
                "limit": latest["limit"],
            }
        else:
            text = _("No result above the limit in the last %(days)s days.") % {
                "days": monitoring["days"]
            }
        lines.append(
            AidLine(
                label=_("Self-monitoring"),
                text=text,
                warn=bool(latest),
                links=[(_("Monitoring charts and exceedances"), monitoring["url"])],
            )
        )
    meta = [data["credit_code"], data["industry"]]
    if data["subdistrict"]:
        meta.append(data["subdistrict"])
    if data["voluntary"]:
        meta.append(_("Voluntary carbon disclosure"))
    return AidCard(
        title=data["name"],
        url=data["url"],
        meta=meta,
        lines=lines,
    )


def summary(found: int) -> str:
    text = ngettext(
        "%(n)s matching enterprise on the list.",
        "%(n)s matching enterprises on the list.",
        found,
    ) % {"n": found}
    if found > SHOWN:
        text += " " + _("The first %(shown)s are shown.") % {"shown": SHOWN}
    return text


def _found(*, q: str = "", address: str = "") -> tuple[list[dict], int]:
    ids = selectors.lookup_enterprise_ids(q=q, address=address)
    rows = selectors.latest_disclosures(ids[:SHOWN])
    return [as_dict(row) for row in rows], len(ids)


def _limited(request) -> bool:
    limit, window = ratelimit.configured("ENTERPRISES_RATE_LIMITS", "lookup_client")
    return not ratelimit.hit(
        "enterprises:lookup_client", ratelimit.client_ip(request), limit=limit, window=window
    )


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    add_never_cache_headers(response)
    return response


@require_safe
def lookup(request):
    """JSON for the tip-off form: the published enterprises whose name contains ``q`` (without
    a company-form suffix such as 有限公司 or 厂) or whose credit code is ``q``, with their
    latest disclosures. 400 for a query of fewer than ``MIN_QUERY`` or more than ``MAX_QUERY``
    characters, 429 over ``ENTERPRISES_RATE_LIMITS["lookup_client"]``."""
    if _limited(request):
        return _error(429, _("Too many look-ups. Please wait a few minutes."))
    q = normalize_query(request.GET.get("q", ""))
    problem = query_problem(q)
    if problem:
        return _error(400, problem)
    results, found = _found(q=q)
    response = JsonResponse(
        {
            "summary": summary(found),
            "results": [{**data, "card": card(data).as_dict()} for data in results],
            "more_url": list_url(q) if found > SHOWN else "",
            "list_url": list_url(q),
        }
    )
    patch_cache_control(response, private=True, max_age=BROWSER_MAX_AGE)
    return response


def form_aid(request, *, party: str = "", address: str = "") -> TipoffFormAid:
    """The aid under the tip-off form's "unit or factory" field, with the matches for ``party``
    (a name or credit code) and ``address`` when either is given."""
    party = normalize_query(party)
    if query_problem(party):
        party = ""
    address = normalize_query(address)[: MAX_QUERY * 2]
    results, found = _found(q=party, address=address) if party or address else ([], 0)
    return TipoffFormAid(
        key="enterprises",
        title=_("What the enterprise discloses"),
        intro=_(
            "Enterprises on the district's disclosure list publish annual reports, temporary "
            "reports and self-monitoring data."
        ),
        lookup_url=reverse("enterprises:lookup"),
        min_length=MIN_QUERY,
        max_length=MAX_QUERY,
        none_text=_(
            "No enterprise on the disclosure list matches. Not every unit must disclose; "
            "your report is handled all the same."
        ),
        list_url=list_url(party),
        list_label=_("Search the enterprise disclosure list"),
        searched=bool(party),
        matches=[card(data) for data in results],
        summary=summary(found) if results else "",
        more_url=list_url(party) if found > SHOWN else "",
    )
