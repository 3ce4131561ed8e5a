"""Nothing orphaned (issue 14, part 1): every public route and every live public page is at
most three clicks from the home page, in Chinese from ``/`` and in English from ``/en/``.

The routes come from the URL conf: every route ``portal.mfa`` classifies as public, reversed
without arguments or with demo objects; the few that are not pages a visitor navigates to (probes,
feeds, APIs, POST actions, steps inside a flow) are listed in ``NOT_NAVIGATED`` with the reason.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from portal import mfa
from tests.crawl import crawl
from tests.portal.test_mfa import walk_urlconf

pytestmark = pytest.mark.django_db

MAX_CLICKS = 3

NOT_NAVIGATED = {
    # Machine endpoints.
    "healthz": "load-balancer probe",
    "readyz": "load-balancer probe",
    "cms:sitemap": "sitemap.xml for search engines (robots.txt names it)",
    "cms:robots": "robots.txt",
    "cms:column_rss": "feed, linked from the page head",
    "cms:column_atom": "feed, linked from the page head",
    "cms:category_rss": "feed, linked from the page head",
    "cms:category_atom": "feed, linked from the page head",
    "open311:services": "Open311 API",
    "open311:service": "Open311 API",
    "open311:requests": "Open311 API",
    "open311:request": "Open311 API",
    "open311:token": "Open311 API",
    "open311:discovery": "Open311 discovery document",
    "open311:openapi": "OpenAPI description of the Open311 API",
    "open311:not_found": "Open311 API error for unknown paths",
    "enterprises_api:monitoring": "monitoring API for enterprises (token)",
    "enterprises:lookup": "JSON look-up the tip-off form's script calls while a name is typed",
    "tipoffs:nearby": "JSON asked by the report form while filling it in",
    "privacy:notice": "the full text behind each form's notice (linked from the form)",
    "privacy:account_deleted": "after deleting one's account",
    "enterprises:report": "from an enterprise's page (its reports by year)",
    "enterprises:report_version": "from a report's version history",
    "enterprises:monitoring": "from an enterprise's page",
    # Actions (POST forms on every page).
    "set_language": "POST action of the language switch",
    "account_logout": "POST action",
    # The page tree is checked page by page below.
    "wagtail_serve": "every live public page is checked itself",
    "wagtailcore_authenticate_with_password": "password step of a protected page",
    "wagtailcore_login": "login step of a private page",
    "wagtaildocs_authenticate_with_password": "password step of a protected document",
    # Steps inside a flow: reached by doing the step before, never by a link.
    "tipoffs:index": "redirects to the report form",
    "tipoffs:submitted": "after filing a report",
    "tipoffs:follow": "POST after filing a report",
    "tipoffs:track_case": "after entering a tracking code",
    "disclosure:request_receipt": "after filing a request",
    "disclosure:item_diff": "from an item's version history",
    "surveys:step": "inside a survey",
    "surveys:one_page": "inside a survey",
    "surveys:resume": "inside a survey",
    "surveys:token_link": "the link printed in a survey letter",
    "surveys:token": "code entry of a survey by letter (its start button leads there)",
    "surveys:done": "after answering a survey",
    "surveys:stopped": "when a survey's quota is full",
    "account_inactive": "after signing in to a disabled account",
    "account_email_verification_sent": "after signing up",
    "account_reset_password_done": "after asking for a reset",
    "account_reset_password_from_key": "the link in the reset e-mail",
    "account_reset_password_from_key_done": "after resetting",
    "account_confirm_login_code": "after asking for a sign-in code",
    "account_confirm_email": "the link in the verification e-mail",
    "mfa_authenticate": "second step of signing in",
}


def _seed():
    from tests.portal.test_persona_matrix import _seed_demo

    _seed_demo()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data of every app, built once for the module and rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            _seed()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _with_objects() -> dict[str, list[dict]]:
    """URL arguments from the demo data for the public routes that take some."""
    from disclosure.models import AnnualReportInputs, DisclosureItemVersion, Indicator, KeyProject
    from enterprises.models import Enterprise
    from surveys.models import SurveyRelease

    item_ids = sorted(set(DisclosureItemVersion.objects.values_list("item_id", flat=True)))
    releases = list(SurveyRelease.objects.select_related("survey"))
    year = AnnualReportInputs.objects.order_by("-year").values_list("year", flat=True).first()
    return {
        "disclosure:indicator_detail": [
            {"number": n} for n in Indicator.objects.filter(part=0).values_list("number", flat=True)
        ],
        "disclosure:project_detail": [
            {"number": n} for n in KeyProject.objects.values_list("number", flat=True)
        ],
        "disclosure:item_versions": [{"pk": pk} for pk in item_ids],
        "disclosure:annual_report": [{"year": year}],
        "disclosure:annual_report_xlsx": [{"year": year}],
        "surveys:survey": [{"slug": r.survey.slug} for r in releases],
        "surveys:token": [{"slug": r.survey.slug} for r in releases],
        "surveys:results": [{"slug": r.survey.slug} for r in releases],
        "surveys:results_methodology": [
            {"slug": r.survey.slug, "version": r.version} for r in releases
        ],
        "surveys:results_csv": [{"slug": r.survey.slug, "version": r.version} for r in releases],
        "enterprises:detail": [
            {"code": code}
            for code in Enterprise.objects.order_by("pk").values_list("credit_code", flat=True)[:3]
        ],
    }


def public_targets(language: str) -> dict[str, str]:
    """``{path: what}`` of every public route and live public page, in ``language``."""
    objects = _with_objects()
    targets: dict[str, str] = {}
    with translation.override(language):
        for pattern, name in walk_urlconf():
            if mfa.classify(view_name=name, path=pattern) != mfa.PUBLIC or name is None:
                continue
            if name in NOT_NAVIGATED:
                continue
            if "<" not in pattern:
                targets[reverse(name)] = name
                continue
            assert name in objects, f"{name} takes arguments: add demo objects or a reason"
            for kwargs in objects[name]:
                targets[reverse(name, kwargs=kwargs)] = f"{name} {kwargs}"
        for page in Page.objects.live().public().filter(depth__gt=1).specific():
            url = page.get_url()
            if url:
                prefix = "/en" if language == "en" else ""
                path = url if url.startswith("/en/") or not prefix else prefix + url
                targets[path] = f"page {page.title}"
    return targets


@pytest.mark.parametrize("language,start", [("zh-hans", "/"), ("en", "/en/")])
def test_every_public_route_and_page_is_at_most_three_clicks_from_home(demo, db, language, start):
    depths = crawl(Client(), start, max_depth=MAX_CLICKS, prefix=start)
    far = {
        path: what
        for path, what in public_targets(language).items()
        if depths.get(path, MAX_CLICKS + 1) > MAX_CLICKS
    }
    assert not far, f"more than {MAX_CLICKS} clicks from {start}: " + ", ".join(
        f"{what} ({path})" for path, what in sorted(far.items())
    )


def test_the_report_hub_links_every_part_of_the_reporting_service(demo, db):
    html = Client().get("/report/").content.decode()
    for name in ("tipoffs:new", "tipoffs:track", "tipoffs:cases", "tipoffs:stats"):
        assert f'href="{reverse(name)}"' in html, name
    assert "12369" in html and "110" in html
    assert "环境污染举报途径" in html  # the guide, a page under the hub


def test_the_site_map_lists_sections_pages_and_app_routes_in_both_languages(demo, db):
    zh = Client().get(reverse("cms:site_map")).content.decode()
    assert "生态环境信息公开" in zh and "政府信息公开指南" in zh and reverse("tipoffs:new") in zh
    with translation.override("en"):
        path = reverse("cms:site_map")
        new = reverse("tipoffs:new")
    en = Client().get(path).content.decode()
    assert "Environmental information disclosure" in en and new in en
    assert "Site map" in en
