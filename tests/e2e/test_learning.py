"""Learning journey on a phone: a resident takes the daily quiz, reads the explanation after each
answer, sees the points, redeems a reward and sees the pickup code. Every page is axe-clean; a
visitor who is not signed in can try the quiz."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible


@pytest.fixture
def learning_site(site_url):
    from django.contrib.auth import get_user_model

    from portal.learning import demo, services
    from portal.learning.models import LedgerEntry
    from portal.learning.question_bank import load_question_bank

    load_question_bank()
    demo.ensure_rewards()
    resident = get_user_model().objects.get(username="resident")
    # Points from an earlier survey, so that the quiz's points reach the cheapest reward.
    services.award(
        user=resident, amount=25, reason=LedgerEntry.Reason.SURVEY, key="survey:e2e:resident"
    )
    return resident


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def answer_every_question(page) -> None:
    from portal.learning.models import Choice

    checked_feedback = False
    for _ in range(25):
        form = page.locator("[data-testid=quiz-form]")
        if not form.count():
            return
        # Choose the right answers (looked up by the choices' ids), like a well-read resident.
        values = form.locator("input[name=choice]").evaluate_all("els => els.map(e => e.value)")
        correct = set(
            Choice.objects.filter(pk__in=values, is_correct=True).values_list("pk", flat=True)
        )
        for value in values:
            if int(value) in correct:
                form.locator(f"input[name=choice][value='{value}']").check()
        with page.expect_navigation():
            form.locator("[data-testid=quiz-submit]").click()
        feedback = page.locator("[data-testid=quiz-feedback]")
        if feedback.count():
            expect(feedback).to_contain_text(re.compile("解析|Explanation"))
            expect(feedback).to_contain_text(re.compile("来源|Source"))
            if not checked_feedback:
                assert_accessible(page)
                checked_feedback = True
    raise AssertionError("the quiz did not finish")


def test_a_resident_takes_the_daily_quiz_and_redeems_a_reward(phone_page, learning_site):
    from portal.learning import services
    from portal.learning.models import Redemption, Reward

    page = phone_page
    sign_in(page, "resident@demo.local")
    page.goto("/learning/")
    assert_accessible(page)
    assert no_horizontal_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=start-daily]").click()
    expect(page.locator("[data-testid=quiz-form] legend")).to_be_visible()
    assert_accessible(page)
    assert no_horizontal_scroll(page)

    answer_every_question(page)
    summary = page.locator("[data-testid=quiz-summary]")
    expect(summary).to_be_visible()
    rules = services.current_settings()
    expect(page.locator("[data-testid=quiz-points]")).to_contain_text(
        f"+{rules.daily_quiz_size * rules.points_per_correct_answer}"
    )
    assert_accessible(page)

    balance = services.balance_of(learning_site)
    page.goto("/learning/me/")
    expect(page.locator("[data-testid=balance]")).to_contain_text(str(balance))
    expect(page.locator("[data-testid=quiz-history]")).to_contain_text(re.compile(r"\d"))
    assert_accessible(page)

    page.goto("/learning/rewards/")
    assert_accessible(page)
    cheapest = Reward.objects.order_by("points").first()
    assert balance >= cheapest.points
    with page.expect_navigation():
        page.locator(f"[data-testid=redeem-{cheapest.pk}]").click()
    # The confirmation step (item, cost, balance after); nothing is spent before confirming.
    expect(page.locator("[data-testid=confirm-after]")).to_have_text(str(balance - cheapest.points))
    assert not Redemption.objects.filter(user=learning_site).exists()
    with page.expect_navigation():
        page.locator("[data-testid=confirm-redeem]").click()
    code = page.locator("[data-testid=pickup-code]")
    expect(code).to_be_visible()
    redemption = Redemption.objects.get(user=learning_site)
    expect(code).to_have_text(services.format_code(redemption.code))
    assert_accessible(page)
    assert services.balance_of(learning_site) == balance - cheapest.points


def test_a_visitor_tries_the_quiz_without_signing_in(page, learning_site):
    from portal.learning.models import QuizAttempt

    page.goto("/learning/")
    with page.expect_navigation():
        page.locator("[data-testid=start-daily]").click()
    expect(page.locator("[data-testid=trial-note]")).to_be_visible()
    assert_accessible(page)
    answer_every_question(page)
    expect(page.locator("[data-testid=quiz-summary]")).to_be_visible()
    assert_accessible(page)
    assert not QuizAttempt.objects.exists()
