"""The unit a resident reports (被举报单位): an optional case field for the handlers, never
published; the form helps with it through the ``tipoff_form_aids`` hook (the enterprise
disclosure list's matches, rendered on the server when the form is sent back) and the staff
case page shows the same matches. Nothing added shows who reported."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.models import (
    AnnualReport,
    Enterprise,
    MonitoringResult,
    Outlet,
    OutletLimit,
    ReportVersion,
)
from portal import integration
from portal.tipoffs import workflow
from portal.tipoffs.models import Tipoff
from tests.factories import ENTERPRISE_CODE, PASSWORD
from tests.tipoffs.conftest import REPORTER
from tests.tipoffs.test_intake import form_data

pytestmark = pytest.mark.django_db

NEW = "/tipoffs/new"
FACTORY = "示例·东区焦化有限公司"


@pytest.fixture
def factory(db):
    """A published enterprise on the list with a submitted report, a draft, and an exceedance."""
    enterprise = Enterprise.objects.create(
        credit_code=ENTERPRISE_CODE,
        name=FACTORY,
        industry="chemicals",
        listed_from=2022,
        is_key_polluter=True,
        address="攀枝花市东区东华街道焦化路7号",
    )
    report = AnnualReport.objects.create(
        enterprise=enterprise, year=2025, status=AnnualReport.Status.SUBMITTED
    )
    ReportVersion.objects.create(
        report=report,
        number=1,
        content={"basic": "示例"},
        fingerprint="0" * 64,
        submitted_at=timezone.now() - dt.timedelta(days=60),
        is_late=True,
    )
    AnnualReport.objects.create(enterprise=enterprise, year=2026, draft={"basic": "未提交的草稿"})
    outlet = Outlet.objects.create(enterprise=enterprise, code="DA001", name="焦炉烟囱", kind="air")
    OutletLimit.objects.create(outlet=outlet, pollutant="so2", limit=Decimal("35"))
    MonitoringResult.objects.create(
        outlet=outlet,
        pollutant="so2",
        measured_at=timezone.now() - dt.timedelta(days=3),
        value=Decimal("47"),
        unit="mg/m3",
        limit=Decimal("35"),
        exceeded=True,
        method="automatic",
        source=MonitoringResult.Source.API,
    )
    return enterprise


def aid_section(html: str) -> str:
    match = re.search(r'<section class="party-aid card".*?</section>', html, re.S)
    assert match, "no aid section"
    return match.group(0)


def test_the_form_stores_the_reported_unit_for_the_case(client, category, subdistrict):
    response = client.post(
        NEW, form_data(category, subdistrict, reported_party="  东区焦化厂\n 二车间 ")
    )
    assert response.status_code == 302
    tipoff = Tipoff.objects.get()
    assert tipoff.reported_party == "东区焦化厂 二车间"  # one line


def test_the_unit_is_optional_and_has_a_length_limit(client, category, subdistrict):
    assert client.post(NEW, form_data(category, subdistrict)).status_code == 302
    assert Tipoff.objects.get().reported_party == ""
    response = client.post(NEW, form_data(category, subdistrict, reported_party="厂" * 129))
    assert response.status_code == 400
    assert Tipoff.objects.count() == 1


def test_the_workflow_refuses_a_unit_name_that_is_too_long(submit):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        submit(reported_party="厂" * 129)
    assert Tipoff.objects.count() == 0


def test_the_empty_form_has_the_field_and_a_hidden_aid_with_its_lookup(client, category):
    html = client.get(NEW).content.decode()
    assert "涉及的单位或工厂（如知道）" in html
    section = aid_section(html)
    assert f'data-url="{reverse("enterprises:lookup")}"' in section
    assert " hidden>" in section
    assert 'role="status"' in section
    # The list link is there without JavaScript, as is the section link at the top.
    assert 'href="/enterprises/"' in section
    assert 'data-testid="tipoff-related"' in html


def test_a_form_sent_back_shows_the_matching_enterprise_without_javascript(
    client, category, subdistrict, factory
):
    data = form_data(category, subdistrict, description="太脏", reported_party="东区焦化厂")
    response = client.post(NEW, data)
    assert response.status_code == 400
    section = aid_section(response.content.decode())
    assert " hidden>" not in section
    code = factory.credit_code
    assert f'<a href="/enterprises/{code}/">{FACTORY}</a>' in section
    assert "2025 年度报告第 1 版" in section and "逾期公开" in section
    assert f'href="/enterprises/{code}/reports/2025/v1/"' in section
    assert f'href="/enterprises/{code}/monitoring/"' in section
    assert "近 90 天有 1 次超标" in section
    assert "未提交的草稿" not in section and "2026 年度" not in section  # drafts never
    # The list link carries the typed name (without 厂) for a resident without JavaScript.
    assert 'href="/enterprises/?q=%E4%B8%9C%E5%8C%BA%E7%84%A6%E5%8C%96"' in section
    # Nothing of the reporter's identity in what the aid shows.
    for secret in REPORTER.values():
        assert secret not in section


def test_a_form_sent_back_matches_the_address_too(client, category, subdistrict, factory):
    data = form_data(category, subdistrict, description="太脏", address="东华焦化路7号门口")
    section = aid_section(client.post(NEW, data).content.decode())
    assert FACTORY in section
    # No name was typed, so no "nothing matches" either way; here the address found it.
    data = form_data(category, subdistrict, description="太脏", address="焦化路99号")
    section = aid_section(client.post(NEW, data).content.decode())
    assert " hidden>" in section and FACTORY not in section


def test_a_name_that_matches_nothing_says_so_and_links_the_list(
    client, category, subdistrict, factory
):
    data = form_data(category, subdistrict, description="太脏", reported_party="丙造纸厂")
    section = aid_section(client.post(NEW, data).content.decode())
    assert "名单中没有相符的企业" in section and FACTORY not in section
    assert 'href="/enterprises/?q=' in section


def test_an_unpublished_enterprise_is_never_shown(client, category, subdistrict, factory):
    Enterprise.objects.filter(pk=factory.pk).update(is_published=False)
    data = form_data(category, subdistrict, description="太脏", reported_party="东区焦化")
    assert FACTORY not in aid_section(client.post(NEW, data).content.decode())


def test_a_submission_over_the_rate_limit_gets_no_lookup(
    client, category, subdistrict, factory, settings
):
    settings.TIPOFFS_RATE_LIMITS = {**settings.TIPOFFS_RATE_LIMITS, "ip": (0, 3600)}
    data = form_data(category, subdistrict, reported_party="东区焦化厂")
    response = client.post(NEW, data)
    assert response.status_code == 429
    assert FACTORY not in aid_section(response.content.decode())


def test_the_staff_case_page_shows_the_unit_and_its_disclosures(client, submit, intake, factory):
    tipoff = submit(reported_party="东区焦化厂")
    assert client.login(username=intake.username, password=PASSWORD)
    html = client.get(reverse("tipoffs_admin:case", args=[tipoff.pk])).content.decode()
    assert re.search(r'data-testid="admin-reported-party">东区焦化厂<', html)
    section = re.search(r'data-testid="admin-party-aid">.*?</section>', html, re.S).group(0)
    assert f'href="/enterprises/{factory.credit_code}/"' in section
    assert "最新年度报告" in section and "自行监测" in section
    for secret in REPORTER.values():
        assert secret not in section
    # The identity is still only shown on request.
    for secret in REPORTER.values():
        assert secret not in html


def test_a_handler_sees_the_unit_in_the_queue(client, submit, intake, handler_a, dept_a):
    case = workflow.tipoff_accept(tipoff=submit(reported_party="东区焦化厂"), actor=intake)
    workflow.tipoff_assign(tipoff=case, actor=intake, departments=[dept_a])
    assert client.login(username=handler_a.username, password=PASSWORD)
    html = client.get(reverse("tipoffs_admin:index"), {"queue": "all"}).content.decode()
    assert "被举报单位" in html and "东区焦化厂" in html


def test_a_case_without_a_unit_or_a_match_has_no_aid_section(client, submit, intake, factory):
    tipoff = submit()
    assert client.login(username=intake.username, password=PASSWORD)
    html = client.get(reverse("tipoffs_admin:case", args=[tipoff.pk])).content.decode()
    assert 'data-testid="admin-party-aid"' not in html


def test_the_reporter_sees_the_unit_they_named_on_the_tracking_page(client, category, subdistrict):
    client.post(NEW, form_data(category, subdistrict, reported_party="东区焦化厂"))
    tipoff = Tipoff.objects.get()
    html = client.get(reverse("tipoffs:track_case", args=[tipoff.pk])).content.decode()
    assert "涉及的单位或工厂" in html and "东区焦化厂" in html


def test_the_unit_is_never_published(client, case_in, settings):
    case = case_in("closed")
    Tipoff.objects.filter(pk=case.pk).update(reported_party="示例·保密单位", is_public=True)
    public = client.get(reverse("tipoffs:cases")).content.decode()
    assert f'id="case-{case.pk}"' in public  # the case is on the public list…
    assert "示例·保密单位" not in public  # …without the unit the reporter named
    assert "示例·保密单位" not in client.get(reverse("tipoffs:stats")).content.decode()
    for url in (
        f"/open311/v2/requests.json?service_request_id={case.pk}",
        f"/open311/v2/requests/{case.pk}.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert [r["service_request_id"] for r in response.json()] == [str(case.pk)]
        assert "示例·保密单位" not in response.content.decode()


def test_the_hook_gives_no_matches_and_no_queries_for_an_empty_form(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        aids = integration.tipoff_form_aids(rf.get("/"))
    (aid,) = aids
    assert aid.key == "enterprises" and not aid.matches and not aid.searched
    assert aid.min_length == 2 and aid.max_length == 128
