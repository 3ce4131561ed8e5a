"""The tip-off form's enterprise look-up: which enterprises match a reported unit (by name,
credit code or address; published ones of the public list only) and what is shown of each
(the latest submitted version, the newest temporary reports, exceedances over 90 days); the
JSON endpoint's answers, limits and cache headers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises import selectors
from enterprises.models import (
    AnnualReport,
    Enterprise,
    MonitoringResult,
    ReportVersion,
    TemporaryReport,
)
from enterprises.validators import normalize_credit_code
from tests.enterprises.conftest import aware
from tests.factories import SubdistrictFactory

pytestmark = pytest.mark.django_db

LOOKUP = "/enterprises/lookup/"
NOW = aware(2026, 6, 15, 12, 0)


def make_enterprise(code_number: int, name: str, **fields) -> Enterprise:
    from stdnum.cn import uscc

    base = f"91510402MA6{code_number:05d}X"
    defaults = {
        "name": name,
        "industry": "steel",
        "listed_from": 2022,
        "is_key_polluter": True,
        "address": "",
    }
    defaults.update(fields)
    return Enterprise.objects.create(credit_code=base + uscc.calc_check_digit(base), **defaults)


def version(enterprise, year, number, *, late=False, source="portal", on=None):
    report, _created = AnnualReport.objects.get_or_create(
        enterprise=enterprise, year=year, defaults={"status": AnnualReport.Status.SUBMITTED}
    )
    return ReportVersion.objects.create(
        report=report,
        number=number,
        content={"basic": "示例"},
        fingerprint="0" * 64,
        submitted_at=aware(*(on or (year + 1, 3, 1)), 10, 0),
        is_late=late,
        source=source,
        reason="更正" if number > 1 else "",
    )


def temporary(enterprise, number, received, *, late=False):
    return TemporaryReport.objects.create(
        enterprise=enterprise,
        document_kind="penalty",
        document_number=number,
        issued_by="攀枝花市东区生态环境局",
        received_on=received,
        due_on=received + dt.timedelta(days=7),
        content="已整改",
        submitted_at=aware(received.year, received.month, received.day, 9, 0)
        + dt.timedelta(days=3),
        is_late=late,
        fingerprint="1" * 64,
    )


def result(outlet, when, *, exceeded, value="40"):
    return MonitoringResult.objects.create(
        outlet=outlet,
        pollutant="so2",
        measured_at=when,
        value=Decimal(value),
        unit="mg/m3",
        limit=Decimal("35"),
        exceeded=exceeded,
        method="automatic",
        source=MonitoringResult.Source.API,
    )


# --- Which enterprises match ------------------------------------------------------------------


def test_a_name_matches_as_typed_without_the_middle_dot_or_the_company_form(own, other):
    # own is 示例·甲钢铁公司, other 示例·乙化工公司
    assert selectors.lookup_enterprise_ids(q="甲钢铁") == [own.pk]
    assert selectors.lookup_enterprise_ids(q="示例甲钢铁厂") == [own.pk]
    assert selectors.lookup_enterprise_ids(q="示例 · 乙化工有限公司") == [other.pk]
    assert selectors.lookup_enterprise_ids(q="钢铁公司") == [own.pk]
    assert selectors.lookup_enterprise_ids(q="丙造纸") == []


def test_a_credit_code_matches_typed_in_lower_case_with_spaces(own):
    typed = " ".join([own.credit_code[:8].lower(), own.credit_code[8:]])
    assert normalize_credit_code(typed) == own.credit_code
    assert selectors.lookup_enterprise_ids(q=typed) == [own.pk]
    # A part of a code is not a code: the district's prefix would match every enterprise.
    assert selectors.lookup_enterprise_ids(q=own.credit_code[:8]) == []


def test_the_exact_name_comes_before_longer_names_that_contain_it(db):
    longer = make_enterprise(1, "示例·东区钢铁集团钢管有限公司")
    exact = make_enterprise(2, "示例·东区钢铁有限公司")
    assert selectors.lookup_enterprise_ids(q="示例·东区钢铁有限公司") == [exact.pk, longer.pk]


def test_only_published_enterprises_of_the_public_list_are_found(db):
    shown = make_enterprise(1, "示例·公开焦化有限公司")
    make_enterprise(2, "示例·隐藏焦化有限公司", is_published=False)
    # Not on the list and no voluntary filing: not on the public list either.
    make_enterprise(3, "示例·名单外焦化有限公司", listed_from=None, is_key_polluter=False)
    voluntary = make_enterprise(4, "示例·自愿焦化有限公司", listed_from=None, is_key_polluter=False)
    AnnualReport.objects.create(
        enterprise=voluntary, year=2025, scope=AnnualReport.Scope.CARBON, status="submitted"
    )
    version(voluntary, 2025, 1)
    found = selectors.lookup_enterprise_ids(q="焦化")
    assert set(found) == {shown.pk, voluntary.pk}
    rows = selectors.latest_disclosures(found, now=NOW)
    assert {r.enterprise.pk for r in rows} == {shown.pk, voluntary.pk}
    assert next(r for r in rows if r.enterprise == voluntary).voluntary is True
    # latest_disclosures refuses an unpublished id it is handed, too.
    hidden = Enterprise.objects.get(name="示例·隐藏焦化有限公司")
    assert selectors.latest_disclosures([hidden.pk], now=NOW) == []


def test_an_address_matches_when_the_enterprise_site_is_in_what_the_resident_wrote(db):
    SubdistrictFactory(code="yinjiang", name="银江镇")
    plant = make_enterprise(1, "示例·东区水泥有限公司", address="攀枝花市东区银江镇示例路8号")
    make_enterprise(2, "示例·东区建材有限公司", address="攀枝花市东区银江镇示例路88号")
    make_enterprise(3, "示例·无地址有限公司")
    assert selectors.lookup_enterprise_ids(address="银江示例路8号大门对面") == [plant.pk]
    assert selectors.lookup_enterprise_ids(address="四川省攀枝花市东区银江镇示例路8号") == [
        plant.pk
    ]
    assert selectors.lookup_enterprise_ids(address="示例路") == []  # a road is not a site
    # The name's matches come first, then the address's, each once.
    other = Enterprise.objects.get(name="示例·东区建材有限公司")
    assert selectors.lookup_enterprise_ids(q="建材", address="示例路8号") == [other.pk, plant.pk]
    assert selectors.lookup_enterprise_ids(q="水泥", address="示例路8号") == [plant.pk]


# --- What is shown of each ---------------------------------------------------------------------


def test_the_latest_submitted_version_of_the_newest_year_is_chosen_drafts_never(own, other):
    version(own, 2024, 1)
    version(own, 2024, 2)
    version(own, 2025, 1, late=True, on=(2026, 3, 20))
    corrected = version(own, 2025, 2, on=(2026, 4, 2))
    # A draft (no version yet) of a later year is not a disclosure.
    AnnualReport.objects.create(enterprise=own, year=2026, draft={"basic": "草稿内容"})
    # other only has a draft.
    AnnualReport.objects.create(enterprise=other, year=2025, draft={"basic": "草稿内容"})
    rows = {r.enterprise.pk: r for r in selectors.latest_disclosures([own.pk, other.pk], now=NOW)}
    mine = rows[own.pk]
    assert mine.annual.pk == corrected.pk
    assert (mine.annual.report.year, mine.annual.number) == (2025, 2)
    assert mine.corrected is True
    assert mine.first_late is True  # version 1 of that year was filed late
    assert rows[other.pk].annual is None


def test_the_newest_three_temporary_reports_are_shown(own):
    for i, day in enumerate([1, 5, 9, 13]):
        temporary(own, f"攀东环罚〔2026〕{i + 1}号", dt.date(2026, 3, day), late=i == 3)
    (row,) = selectors.latest_disclosures([own.pk], now=NOW)
    assert [t.document_number for t in row.temporary] == [
        "攀东环罚〔2026〕4号",
        "攀东环罚〔2026〕3号",
        "攀东环罚〔2026〕2号",
    ]
    assert row.temporary[0].is_late is True


def test_exceedances_are_counted_over_the_last_90_days_with_the_latest_one(own, outlet):
    result(outlet, NOW - dt.timedelta(days=91), exceeded=True, value="60")  # outside
    result(outlet, NOW - dt.timedelta(days=89), exceeded=True, value="41")
    latest = result(outlet, NOW - dt.timedelta(days=10), exceeded=True, value="46.9")
    result(outlet, NOW - dt.timedelta(days=5), exceeded=False, value="20")
    result(outlet, NOW + dt.timedelta(days=1), exceeded=True, value="70")  # after "now"
    (row,) = selectors.latest_disclosures([own.pk], now=NOW)
    assert row.has_monitoring is True
    assert row.exceedance_count == 2
    assert row.latest_exceedance.pk == latest.pk
    assert row.days == selectors.LOOKUP_EXCEEDANCE_DAYS == 90


def test_an_enterprise_without_outlets_or_exceedances(own, other, outlet):
    rows = {r.enterprise.pk: r for r in selectors.latest_disclosures([own.pk, other.pk], now=NOW)}
    assert rows[own.pk].has_monitoring is True and rows[own.pk].exceedance_count == 0
    assert rows[own.pk].latest_exceedance is None
    assert rows[other.pk].has_monitoring is False


def test_the_disclosures_of_many_enterprises_take_four_queries(
    own, other, outlet, django_assert_num_queries
):
    third = make_enterprise(7, "示例·丙热电有限公司")
    for enterprise in (own, other, third):
        version(enterprise, 2025, 1)
        temporary(enterprise, f"攀东环罚〔2026〕{enterprise.pk}号", dt.date(2026, 3, 1))
    result(outlet, NOW - dt.timedelta(days=3), exceeded=True)
    with django_assert_num_queries(4):
        rows = selectors.latest_disclosures([third.pk, own.pk, other.pk], now=NOW)
    assert [r.enterprise.pk for r in rows] == [third.pk, own.pk, other.pk]  # the order given


# --- The JSON endpoint --------------------------------------------------------------------------


def test_the_lookup_answers_the_match_with_its_latest_disclosures(client, own, outlet):
    version(own, 2025, 1, late=True, on=(2026, 3, 20))
    version(own, 2025, 2, on=(2026, 4, 2))
    temporary(own, "攀东环罚〔2026〕3号", dt.date(2026, 2, 10), late=True)
    result(outlet, timezone.now() - dt.timedelta(days=2), exceeded=True, value="46.900")
    response = client.get(LOOKUP, {"q": "甲钢铁厂"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"summary", "results", "more_url", "list_url"}
    assert data["summary"] == "名单中有 1 家相符的企业。"
    assert data["list_url"] == "/enterprises/?q=%E7%94%B2%E9%92%A2%E9%93%81"  # 甲钢铁
    assert data["more_url"] == ""
    (match,) = data["results"]
    code = own.credit_code
    assert match["name"] == "示例·甲钢铁公司" and match["credit_code"] == code
    assert match["industry"] == "钢铁" and match["url"] == f"/enterprises/{code}/"
    assert match["annual_report"] == {
        "year": 2025,
        "version": 2,
        "submitted_on": "2026-04-02",
        "late": True,
        "corrected": True,
        "imported": False,
        "carbon_only": False,
        "url": f"/enterprises/{code}/reports/2025/v2/",
    }
    assert match["temporary_reports"] == [
        {
            "kind": "行政处罚",
            "document_number": "攀东环罚〔2026〕3号",
            "received_on": "2026-02-10",
            "late": True,
            "url": f"/enterprises/{code}/#temporary-heading",
        }
    ]
    monitoring = match["monitoring"]
    assert monitoring["registered"] is True and monitoring["exceedances"] == 1
    assert monitoring["latest"]["value"] == "46.9" and monitoring["latest"]["limit"] == "35"
    assert monitoring["url"] == f"/enterprises/{code}/monitoring/"
    card = match["card"]
    assert card["title"] == "示例·甲钢铁公司" and card["meta"][0] == code
    lines = {line["label"]: line for line in card["lines"]}
    assert lines["最新年度报告"]["marks"] == ["逾期公开", "已更正"]
    assert lines["最新年度报告"]["links"] == [
        {"text": "阅读报告", "url": f"/enterprises/{code}/reports/2025/v2/"}
    ]
    assert lines["自行监测"]["warn"] is True
    assert "近 90 天有 1 次超标" in lines["自行监测"]["text"]


def test_the_lookup_speaks_english_under_en(client, own):
    data = client.get("/en" + LOOKUP, {"q": "甲钢铁"}).json()
    assert data["summary"] == "1 matching enterprise on the list."
    line = data["results"][0]["card"]["lines"][0]
    assert line["label"] == "Latest annual report"
    assert data["results"][0]["url"].startswith("/en/enterprises/")


def test_no_match_is_an_empty_list(client, own):
    data = client.get(LOOKUP, {"q": "丙造纸厂"}).json()
    assert data["results"] == [] and data["more_url"] == ""


def test_more_than_five_matches_are_counted_and_linked_to_the_list(client, db):
    for n in range(7):
        make_enterprise(n + 1, f"示例·东区焦化{n}厂")
    data = client.get(LOOKUP, {"q": "焦化"}).json()
    assert len(data["results"]) == 5
    assert "有 7 家相符的企业" in data["summary"] and "显示前 5 家" in data["summary"]
    assert data["more_url"] == "/enterprises/?q=%E7%84%A6%E5%8C%96"


@pytest.mark.parametrize(
    "params", [{}, {"q": ""}, {"q": " 钢 "}, {"q": "钢" * 129}, {"q": "钢铁\x00"}]
)
def test_a_bad_query_is_refused_with_a_reason(client, params):
    response = client.get(LOOKUP, params)
    assert response.status_code == 400
    assert response.json()["error"]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_reasons_say_how_long_a_query_must_be(client):
    assert client.get(LOOKUP, {"q": "钢"}).json()["error"] == "请至少输入 2 个字。"
    assert client.get(LOOKUP, {"q": "钢" * 129}).json()["error"] == "最多输入 128 个字。"


def test_the_lookup_is_rate_limited_per_client(client, own, settings):
    settings.ENTERPRISES_RATE_LIMITS = {
        **settings.ENTERPRISES_RATE_LIMITS,
        "lookup_client": (3, 600),
    }
    for _ in range(3):
        assert client.get(LOOKUP, {"q": "甲钢铁"}).status_code == 200
    refused = client.get(LOOKUP, {"q": "甲钢铁"})
    assert refused.status_code == 429
    assert refused.json()["error"] == "查询次数过多，请几分钟后再试。"
    assert "public" not in refused["Cache-Control"]


def test_the_answer_is_private_to_the_browser_and_sets_no_cookie(client, own):
    response = client.get(LOOKUP, {"q": "甲钢铁"})
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "max-age=60" in cache_control
    assert "public" not in cache_control
    assert not response.cookies
    assert "X-Page-Cache" not in response
    again = client.get(LOOKUP, {"q": "甲钢铁"})
    assert "X-Page-Cache" not in again  # never from the shared page cache


def test_only_get_and_head(client, own):
    assert client.post(LOOKUP, {"q": "甲钢铁"}).status_code == 405
    assert client.head(LOOKUP + "?q=%E7%94%B2%E9%92%A2%E9%93%81").status_code == 200


def test_the_route_is_before_the_credit_code_catch_all():
    assert reverse("enterprises:lookup") == LOOKUP
