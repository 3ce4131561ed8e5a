"""Indicator dashboard, key projects, the survey hook for 34/35, the home-page snapshot tag."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from wagtail import hooks

from disclosure.models import Indicator, KeyProject
from disclosure.services import (
    indicator_reading_record,
    latest_indicator_value,
    project_progress_record,
)
from portal.pagecache import invalidate_public_pages

pytestmark = pytest.mark.django_db


def test_the_dashboard_counts_statuses_and_groups_the_six_fields(client):
    response = client.get(reverse("disclosure:indicators"))
    assert response.status_code == 200
    assert response.context["counts"] == {"已达标": 25, "未达标": 7, "无现状": 3}
    groups = response.context["groups"]
    assert [len(g["rows"]) for g in groups] == [6, 8, 2, 6, 10, 3]
    at_risk = {row.indicator.number for row in response.context["at_risk"]}
    assert {5, 7, 10, 12, 19, 24, 32} <= at_risk


def test_a_reading_changes_the_status_and_draws_a_trend(client):
    indicator = Indicator.objects.get(number=32, part=0)
    indicator_reading_record(
        indicator=indicator,
        period="2024",
        period_end=dt.date(2024, 12, 31),
        value=Decimal("81.0"),
        status="已达标",
        source_note="区财政局",
    )
    response = client.get(reverse("disclosure:indicators"))
    assert response.context["counts"]["未达标"] == 6
    row = next(r for g in response.context["groups"] for r in g["rows"] if r.indicator.number == 32)
    assert row.current_text == "81" and row.chart is not None and len(row.chart["dots"]) == 2
    detail = client.get(reverse("disclosure:indicator_detail", args=[32]))
    assert "区财政局" in detail.content.decode()


def test_the_dashboard_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("disclosure:indicators"))  # warm the site and session lookups
    invalidate_public_pages()  # full renders: the page cache has its own tests
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("disclosure:indicators"))
    for indicator in Indicator.objects.all()[:20]:
        for year in (2022, 2023):
            indicator_reading_record(
                indicator=indicator,
                period=str(year),
                period_end=dt.date(year, 12, 31),
                value=Decimal("50"),
                status="已达标",
                source_note="测试",
            )
    invalidate_public_pages()
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(reverse("disclosure:indicators"))


def test_indicators_34_and_35_come_from_the_survey_release_when_one_exists(monkeypatch):
    assert latest_indicator_value(34).source == "baseline"
    assert latest_indicator_value(34).text == "82.22"
    indicator_reading_record(
        indicator=Indicator.objects.get(number=34, part=0),
        period="2024",
        period_end=dt.date(2024, 12, 31),
        value=Decimal("84.05"),
        status="已达标",
        source_note="officer",
    )
    assert latest_indicator_value(34).source == "reading"
    # The surveys app supplies 34 and 35 through its indicator_sources hook.
    monkeypatch.setattr(
        "surveys.indicators.latest_satisfaction",
        lambda: {"value": Decimal("86.4"), "period": "2025", "source_note": "2025年第一轮调查"},
    )
    monkeypatch.setattr("surveys.indicators.latest_participation", lambda: None)
    value = latest_indicator_value(34)
    assert (value.source, value.value, value.status, value.period) == (
        "survey",
        Decimal("86.4"),
        "已达标",
        "2025",
    )
    assert latest_indicator_value(35).source == "baseline"  # no release: not an error
    from disclosure.selectors import indicator_dashboard

    rows = {r.indicator.number: r for g in indicator_dashboard()["groups"] for r in g["rows"]}
    # The trend ends with the survey's value, after the baseline and the officer's reading.
    assert [(d["label"], d["value"]) for d in rows[34].chart["dots"]] == [
        ("2020", "82.22"),
        ("2024", "84.05"),
        ("2025", "86.4"),
    ]
    monkeypatch.setattr("surveys.indicators.latest_satisfaction", lambda: None)
    assert latest_indicator_value(34).source == "reading"


def test_any_app_can_feed_an_indicator_through_the_hook_and_two_sources_are_an_error():
    def feeds_indicator_1():
        return {1: lambda: {"value": Decimal("99.5"), "period": "2025", "source_note": "x"}}

    with hooks.register_temporarily("indicator_sources", feeds_indicator_1):
        assert latest_indicator_value(1).source == "survey"
        assert latest_indicator_value(1).value == Decimal("99.5")
    assert latest_indicator_value(1).source != "survey"

    def also_34():
        return {34: lambda: None}

    with (
        hooks.register_temporarily("indicator_sources", also_34),
        pytest.raises(ImproperlyConfigured, match="Indicator 34 has two sources"),
    ):
        latest_indicator_value(34)


def test_the_snapshot_tag_renders_key_indicators():
    html = Template("{% load disclosure_tags %}{% indicator_snapshot '5,34' %}").render(
        Context({"request": RequestFactory().get("/")})
    )
    assert "生态环境信息公开率" in html and "82.22" in html and "35." not in html


def test_project_progress_updates_the_list_and_filters(client):
    project = KeyProject.objects.get(number=15)
    project_progress_record(
        project=project, date=dt.date(2022, 6, 30), percent_complete=40, status="in_progress"
    )
    project_progress_record(
        project=project, date=dt.date(2023, 6, 30), percent_complete=100, status="completed"
    )
    project.refresh_from_db()
    assert (project.status, project.percent_complete) == ("completed", 100)
    response = client.get(reverse("disclosure:projects") + "?status=completed")
    assert [p.number for p in response.context["projects"]] == [15]
    response = client.get(reverse("disclosure:projects") + f"?system={project.system_id}")
    assert len(response.context["projects"]) == 17
    body = client.get(reverse("disclosure:projects")).content.decode()
    assert "1,022,386.75" in body and "213,116.75" in body


def test_a_completed_project_must_be_100_percent():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        project_progress_record(
            project=KeyProject.objects.get(number=1),
            date=dt.date(2022, 1, 1),
            percent_complete=80,
            status="completed",
        )


def test_the_project_list_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(reverse("disclosure:projects"))  # warm the site and session lookups
    invalidate_public_pages()  # full renders: the page cache has its own tests
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("disclosure:projects"))
    for project in KeyProject.objects.all()[:30]:
        project_progress_record(
            project=project, date=dt.date(2023, 1, 1), percent_complete=50, status="in_progress"
        )
    invalidate_public_pages()
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(reverse("disclosure:projects"))


def test_out_of_range_project_filters_are_ignored_rather_than_crashing(client):
    response = client.get(
        reverse("disclosure:projects")
        + "?system=99999999999999999999&department=99999999999999999999"
    )
    assert response.status_code == 200
    assert len(response.context["projects"]) == 48


def test_a_new_reading_takes_the_cached_dashboard_and_indicator_page_out_of_the_cache(client):
    indicator = Indicator.objects.get(number=1, part=0)
    urls = [reverse("disclosure:indicators"), reverse("disclosure:indicator_detail", args=[1])]
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    indicator_reading_record(
        indicator=indicator,
        period="2031",
        period_end=dt.date(2031, 12, 31),
        value=Decimal("77.7"),
        status="已达标",
        source_note="缓存测试",
    )
    for url in urls:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "77.7" in response.content.decode()


def test_an_indicator_page_builds_only_its_own_row():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from disclosure import selectors

    dashboard = {
        row.indicator.number: row
        for group in selectors.indicator_dashboard()["groups"]
        for row in group["rows"]
    }
    for number in (1, 5, 34):
        with CaptureQueriesContext(connection) as own:
            row = selectors.indicator_row(number)
        assert (row.current_text, row.verdict.text, row.at_risk) == (
            dashboard[number].current_text,
            dashboard[number].verdict.text,
            dashboard[number].at_risk,
        )
        # Its own indicator (and parts) and their readings, not all 35 of them.
        assert all(
            "IN (" not in q["sql"] or q["sql"].count("%s") < 10 for q in own.captured_queries
        )
