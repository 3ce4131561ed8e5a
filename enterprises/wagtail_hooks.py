"""Register enterprise disclosure: the bureau's screens (inside 信息公开), indicator 5's source,
the enterprises' part of the disclosure rate, and the links from 信息公开 and the tip-off form."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from enterprises import selectors
from enterprises.rates import pooled_rate
from enterprises.viewsets import EnterpriseViewSet, SupervisionViewSet
from portal.integration import MeSection, RatePart, rate_parts

register_snippet(EnterpriseViewSet)


@hooks.register("register_admin_viewset")
def register_supervision():
    return SupervisionViewSet()


@hooks.register("disclosure_rate_parts")
def enterprise_rate_part(as_of):
    found = selectors.indicator_part(as_of=as_of)
    if found is None:
        return None
    year, result = found
    return RatePart("enterprises", _("Enterprise disclosure"), year, result.due, result.on_time)


def indicator_5():
    """生态环境信息公开率: government plan and enterprises pooled (docs/enterprises.md)."""
    parts = rate_parts(timezone.localdate())
    rate = pooled_rate([(p.due, p.on_time) for p in parts])
    if rate is None:
        return None
    years = sorted({p.year for p in parts})
    note = "；".join(f"{p.label} {p.on_time}/{p.due}" for p in parts)
    return {
        "value": rate * 100,
        "period": "–".join(str(y) for y in (years[0], years[-1]) if y)
        if len(years) > 1
        else str(years[0]),
        "source_note": _("On time / due, pooled: %(parts)s") % {"parts": note},
        "source": "computed",
    }


@hooks.register("indicator_sources")
def enterprise_indicator_sources():
    return {5: indicator_5}


@hooks.register("portal_section_links")
def section_links(section, request):
    if section == "disclosure":
        return [
            (
                _("Enterprise disclosure"),
                reverse("enterprises:index"),
                (
                    "enterprises:index",
                    "enterprises:detail",
                    "enterprises:report",
                    "enterprises:report_version",
                    "enterprises:monitoring",
                ),
            )
        ]
    if section == "tipoffs":
        return [
            (
                _(
                    "Reporting a factory? See its environmental disclosures and monitoring data first"
                ),
                reverse("enterprises:index"),
                (),
            )
        ]
    return []


@hooks.register("portal_me_sections")
def filing_section(request):
    if not selectors.filing_enterprises(request.user).exists():
        return None
    return MeSection(
        title=_("Enterprise disclosure"),
        links=[(_("File reports for my enterprise"), reverse("enterprises:filing_home"))],
        order=20,
    )
