"""Browser journeys (desktop and 375 px): a resident reads the public survey results — headline
rates with interval and verdict, the breakdown charts with their tables, the method; and redeems
a reward through the confirmation step, then cancels it and gets the points back. Every page is
axe-clean (no serious or critical violation) and never wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.fixture
def demo_release(site_url):
    """The demo survey with its published release (surveys/demo.py)."""
    from surveys import demo

    demo.seed()
    return demo.SLUG


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_resident_reads_the_survey_results(new_page, demo_release, device):
    from disclosure.services import latest_indicator_value
    from surveys import demo
    from surveys.models import SurveyRelease

    release = SurveyRelease.objects.filter(survey__slug=demo.SLUG).order_by("-version").first()
    assert release is not None
    phone = device == "phone"
    page = new_page(viewport={"width": 375, "height": 740} if phone else None, is_mobile=phone)
    page.goto(f"/surveys/s/{demo.SLUG}/results/")
    headline = page.get_by_test_id("headline-satisfaction")
    expect(headline).to_contain_text(f"{release.satisfaction}%")
    expect(headline).to_contain_text("置信区间")
    verdict = latest_indicator_value(34).verdict.text
    expect(headline.get_by_test_id("verdict-text")).to_have_text(verdict)
    for variable in ("subdistrict", "sex", "age_group"):
        chart = page.locator(f"[data-testid^=chart-{variable}-]").first
        chart.scroll_into_view_if_needed()
        expect(chart.locator("svg").first).to_be_visible()
    expect(page.get_by_test_id("results-method")).to_contain_text("Korn–Graubard")
    expect(page.get_by_test_id("results-csv")).to_be_visible()
    assert_accessible(page)
    assert no_horizontal_scroll(page)
    # The indicator page tells the same story for the same number.
    page.goto("/disclosure/indicators/34/")
    expect(page.get_by_test_id("current-verdict").get_by_test_id("verdict-text")).to_have_text(
        verdict
    )
    assert_accessible(page)
    assert no_horizontal_scroll(page)


@pytest.fixture
def resident_with_points(site_url):
    from django.contrib.auth import get_user_model

    from portal.learning import demo, services
    from portal.learning.models import LedgerEntry

    demo.ensure_rewards()
    resident = get_user_model().objects.get(username="resident")
    services.award(
        user=resident, amount=500, reason=LedgerEntry.Reason.SURVEY, key="survey:e2e:redeem"
    )
    return resident


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_resident_redeems_with_confirmation_and_cancels(new_page, resident_with_points, device):
    from portal.learning import services
    from portal.learning.models import Redemption, Reward

    phone = device == "phone"
    page = new_page(viewport={"width": 375, "height": 740} if phone else None, is_mobile=phone)
    sign_in(page, "resident@demo.local")
    balance = services.balance_of(resident_with_points)
    reward = Reward.objects.filter(stock__gt=0).order_by("points").first()

    page.goto("/learning/rewards/")
    with page.expect_navigation():
        page.get_by_test_id(f"redeem-{reward.pk}").click()
    # The confirmation step: item, cost, balance now and after; nothing spent yet.
    expect(page.get_by_test_id("redeem-confirm")).to_contain_text(reward.name)
    expect(page.get_by_test_id("confirm-balance")).to_have_text(str(balance))
    expect(page.get_by_test_id("confirm-after")).to_have_text(str(balance - reward.points))
    assert not Redemption.objects.filter(user=resident_with_points).exists()
    assert_accessible(page)
    assert no_horizontal_scroll(page)
    with page.expect_navigation():
        page.get_by_test_id("confirm-redeem").click()
    redemption = Redemption.objects.get(user=resident_with_points)
    expect(page.get_by_test_id("pickup-code")).to_have_text(services.format_code(redemption.code))
    assert services.balance_of(resident_with_points) == balance - reward.points

    # 我的 lists it, with its state.
    page.goto("/me/")
    expect(page.get_by_test_id("me-points")).to_contain_text(reward.name)
    assert_accessible(page)
    assert no_horizontal_scroll(page)

    page.goto(f"/learning/me/redemptions/{redemption.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("cancel-redemption").click()
    expect(page.get_by_test_id("cancel-after")).to_have_text(str(balance))
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_test_id("redemption-state")).to_have_text("已取消")
    expect(page.get_by_test_id("cancel-redemption")).to_have_count(0)
    assert services.balance_of(resident_with_points) == balance
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.CANCELLED
