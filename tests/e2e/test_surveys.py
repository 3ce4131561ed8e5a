"""A resident answers the demo survey on a phone with the keyboard alone: a matrix included,
saves, comes back later, resumes and submits. Every page of the journey is axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible

MAX_TABS = 250


@pytest.fixture
def survey_site(site_url):
    from surveys import demo

    survey = demo.ensure_survey()  # the questionnaire without the 2,000 synthetic responses
    demo.ensure_pages(survey)
    return survey


def tab_to(page, selector: str) -> None:
    """Press Tab until ``selector`` has the focus: proves it is reachable by keyboard."""
    for _ in range(MAX_TABS):
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reachable with Tab")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def sign_in(page) -> None:
    page.goto("/accounts/login/")
    tab_to(page, "input[name=login]")
    page.keyboard.type("resident@demo.local")
    tab_to(page, "input[name=password]")
    page.keyboard.type("demo-pass-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/me/**")


def answer_radio_groups(page, first_selector: str, groups: int, presses: str = "Space") -> None:
    """Focus the first radio of a run of consecutive groups and choose one option in each."""
    tab_to(page, first_selector)
    for index in range(groups):
        for key in presses.split():
            page.keyboard.press(key)
        if index < groups - 1:
            page.keyboard.press("Tab")


def press_button(page, testid: str) -> None:
    tab_to(page, f"[data-testid={testid}]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_resident_answers_the_demo_survey_by_keyboard_saves_resumes_and_submits(
    phone_page, survey_site
):
    page = phone_page
    sign_in(page)

    page.goto("/surveys/")
    assert_accessible(page)
    tab_to(page, f"a[href$='/surveys/s/{survey_site.slug}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(survey_site.title)
    assert_accessible(page)
    press_button(page, "survey-start")

    # Step 1: about you. Submitting empty shows the errors next to the fields.
    expect(page.locator("progress")).to_have_attribute("value", "1")
    assert_accessible(page)
    press_button(page, "survey-next")
    expect(page.locator("#sv-errors")).to_be_visible()
    expect(page.locator("#err-subdistrict")).to_be_visible()
    assert_accessible(page)
    answer_radio_groups(page, "#id_subdistrict_0", 3, presses="ArrowDown")
    assert page.locator("#id_subdistrict_1").is_checked()
    press_button(page, "survey-next")

    # Step 2: overall satisfaction (Likert) and the eight-row matrix.
    expect(page.locator("legend", has_text="空气质量")).to_be_visible()
    assert no_horizontal_scroll(page)
    assert_accessible(page)
    answer_radio_groups(page, "#id_Q1_0", 1, presses="ArrowDown")  # 满意
    answer_radio_groups(page, "#id_Q2_1_0", 8, presses="Space")  # 非常满意 on every row
    assert page.locator("#id_Q2_8_0").is_checked()
    press_button(page, "survey-save")
    expect(page.locator(".message--success")).to_be_visible()

    # Later: the resident comes back from the survey's page and continues.
    page.goto(f"/surveys/s/{survey_site.slug}/")
    press_button(page, "survey-continue")
    expect(page.locator("#id_Q2_8_0")).to_be_checked()
    expect(page.locator("#id_Q1_1")).to_be_checked()
    press_button(page, "survey-next")

    # Step 3: participation matrix (7 rows) and whether they know how to report pollution.
    assert_accessible(page)
    answer_radio_groups(page, "#id_Q3_1_0", 8, presses="Space")  # 7 rows + Q4 (知道)
    press_button(page, "survey-next")

    # Step 4: Q6 is shown because Q4 = 知道; Q7 is a multiple choice.
    expect(page.locator("#q-Q6")).to_be_visible()
    assert_accessible(page)
    answer_radio_groups(page, "#id_Q5_0", 2, presses="Space")
    tab_to(page, "#id_Q7_2")
    page.keyboard.press("Space")
    answer_radio_groups(page, "#id_Q8_0", 1, presses="Space")
    press_button(page, "survey-next")

    # Step 5: optional number and text, then submit.
    assert_accessible(page)
    tab_to(page, "#id_Q9")
    page.keyboard.type("2")
    press_button(page, "survey-next")
    assert "/thanks/" in page.url
    assert_accessible(page)

    from surveys.models import Answer, Response

    response = Response.objects.get(survey=survey_site)
    assert response.subdistrict.code == "bingcaogang"
    assert Answer.objects.filter(response=response, question__code="Q2").count() == 8
    assert Answer.objects.get(response=response, question__code="Q9").number == 2


def test_the_one_page_version_lists_all_errors_accessibly_in_english(page, survey_site):
    sign_in(page)
    page.goto(f"/en/surveys/s/{survey_site.slug}/all/")
    expect(page.locator("#q-Q2_8")).to_be_visible()
    assert_accessible(page)
    tab_to(page, "[data-testid=survey-submit-all]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#sv-errors")).to_contain_text("Please correct")
    expect(page.locator("#err-Q1")).to_be_visible()
    assert_accessible(page)
