"""One verdict, one number: an indicator value reads the same on every page (home card, indicator
dashboard and page, survey results, rate page, annual report), judged against the national
indicator value and the plan's 2025 target side by side; the disclosure rate is one figure with
its definition, year and as-of date."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from disclosure.models import DisclosurePlan, DisclosurePlanEntry, Indicator
from disclosure.services import latest_indicator_value, verdict_for
from disclosure.values import indicator_verdict
from surveys.releases import release_publish
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db
D = dt.date
VERDICT = re.compile(r'data-testid="verdict-text">([^<]*)<')


@pytest.fixture(autouse=True)
def no_exports(monkeypatch):
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


def verdict_in(html: str, start: str, end: str) -> str:
    """The verdict sentence in the part of ``html`` from ``start`` to ``end``."""
    assert start in html, start
    part = html.split(start, 1)[1].split(end, 1)[0]
    match = VERDICT.search(part)
    assert match, f"no verdict after {start!r}"
    return match.group(1)


def home_html(client) -> str:
    from portal.demo import ensure_site_tree

    ensure_site_tree()
    return client.get("/").content.decode()


def test_833_meets_the_national_value_but_not_the_plan_target():
    indicator = Indicator.objects.get(number=34, part=0)
    assert (indicator.target_value, indicator.planned_2025) == ("≥80", "≥85")
    verdict = verdict_for(indicator, Decimal("83.3"))
    assert (verdict.national, verdict.plan, verdict.status) == ("met", "not_met", "已达标")
    assert verdict.text == "达到国家指标值，未达规划目标值"
    assert verdict.needs_attention
    assert verdict_for(indicator, Decimal("85")).text == "达到国家指标值，达到规划目标值"
    assert verdict_for(indicator, Decimal("79.9")).text == "未达国家指标值，未达规划目标值"
    assert not verdict_for(indicator, Decimal("85")).needs_attention


def test_qualitative_values_keep_the_recorded_status_and_no_value_is_no_data():
    done = indicator_verdict(
        value=None, national_value="制定实施", plan_value="实施", recorded_status="已达标"
    )
    assert (done.national, done.plan, done.status) == ("met", "", "已达标")
    none = indicator_verdict(
        value=None, national_value="≥43", plan_value="≥43", recorded_status="无现状"
    )
    assert (none.has_value, none.status, none.needs_attention) == (False, "无现状", True)


def test_the_same_survey_value_reads_the_same_on_every_page(client):
    survey = reference_survey(feeds_indicators=True)
    release = release_publish(survey=survey, actor=None)
    value = latest_indicator_value(34)
    assert value.source == "survey" and value.value == release.satisfaction
    expected = value.verdict.text
    assert expected  # e.g. 达到国家指标值，未达规划目标值

    home = verdict_in(home_html(client), 'href="/disclosure/indicators/34/"', "</li>")
    dashboard = client.get(reverse("disclosure:indicators")).content.decode()
    row = verdict_in(dashboard, 'id="indicator-34"', "</tr>")
    detail = client.get(reverse("disclosure:indicator_detail", args=[34])).content.decode()
    page = verdict_in(detail, 'data-testid="current-verdict"', "</dd>")
    results = client.get(reverse("surveys:results", args=[survey.slug])).content.decode()
    headline = verdict_in(results, 'data-testid="headline-satisfaction"', "</li>")
    table = verdict_in(results, 'data-testid="results-satisfaction"', "</tr>")
    assert home == row == page == headline == table == expected
    # The thresholds are shown beside the verdict.
    assert "≥80" in results and "≥85" in results


def test_the_attention_list_and_the_headline_follow_the_rule_the_page_states(client):
    response = client.get(reverse("disclosure:indicators"))
    html = response.content.decode()
    assert 'data-testid="verdict-rule"' in html
    attention = {row.indicator.number for row in response.context["at_risk"]}
    below = set()
    for group in response.context["groups"]:
        for row in group["rows"]:
            assert row.at_risk == row.verdict.needs_attention
            if row.verdict.national == "not_met":
                below.add(row.indicator.number)
    # The 未达标 headline counts the rows below the national value; all of them need attention.
    assert response.context["counts"]["未达标"] == len(below)
    assert below <= attention
    assert f'data-testid="attention-count">{len(attention)}<' in html


@pytest.fixture
def plan_2025(make_item, department, category):
    plan = DisclosurePlan.objects.create(year=2025, title="2025年计划")
    on_time = make_item(
        "按时公开的信息", publication_date=D(2025, 3, 10), written_date=D(2025, 3, 1)
    )

    def entry(title, **kw):
        e = DisclosurePlanEntry(
            plan=plan, title=title, category=category, department=department, **kw
        )
        e.full_clean(exclude=["plan"])
        e.save()
        return e

    entry("固定期限", due_rule="fixed", due_date=D(2025, 3, 31), item=on_time)
    entry("尚未公开", due_rule="fixed", due_date=D(2025, 6, 30))
    entry("年底到期", due_rule="fixed", due_date=D(2025, 12, 31))
    entry("再一项", due_rule="fixed", due_date=D(2025, 9, 30))
    return plan


def test_the_disclosure_rate_is_one_number_on_the_home_card_rate_page_and_report(client, plan_2025):
    # 2025 has ended (the tests run in December 2026): its year-end rate is the official figure.
    value = latest_indicator_value(5)
    assert (value.source, value.period, value.text) == ("plan", "2025", "25.00")
    assert value.as_of == D(2025, 12, 31)

    home = home_html(client)
    card = home.split('href="/disclosure/indicators/5/"', 1)[1].split("</li>", 1)[0]
    assert "25.00" in card and "2025-12-31" in card and 'data-testid="rate-definition"' in card

    rate = client.get(reverse("disclosure:rate")).content.decode()
    assert 'data-testid="rate">25.00%<' in rate
    assert "2025-12-31" in rate.split('data-testid="rate-as-of"', 1)[1].split("</span>", 1)[0]
    assert 'data-testid="rate-definition"' in rate

    report = client.get(reverse("disclosure:annual_report", args=[2025])).content.decode()
    assert "25.00%" in report.split('data-testid="report-rate"', 1)[1].split("</span>", 1)[0]
    assert "2025-12-31" in report

    expected = value.verdict.text
    assert verdict_in(card, "snapshot", "zzz-end") == expected
    assert verdict_in(rate, 'data-testid="rate"', "</li>") == expected
    assert verdict_in(report, 'data-testid="report-rate"', "</p>") == expected


def test_another_as_of_date_says_why_the_rate_differs(client, plan_2025):
    page = client.get(reverse("disclosure:rate") + "?year=2025&as_of=2025-07-01").content.decode()
    note = page.split('data-testid="rate-agreement"', 1)[1].split("</p>", 1)[0]
    assert "25.00%" in note and "2025-12-31" in note
