"""A resident reads the 生态文明建设专栏 in a real browser: column, filter, article, search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible


@pytest.fixture
def column_site(site_url):
    from cms import demo

    demo.seed()
    return site_url


def patient(page):
    """The first render of each page type compiles templates: give a loaded machine time."""
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(30_000)
    return page


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_a_resident_filters_the_column_reads_an_article_and_searches(column_site, page, phone_page):
    # One browser test for the whole module: the live-server database is seeded once.
    patient(page)
    page.goto("/")
    expect(page.get_by_role("heading", level=2, name="生态文明建设专栏")).to_be_visible()
    assert_accessible(page)

    page.locator(".main-nav").get_by_role("link", name="生态文明建设专栏").click()
    expect(page.get_by_role("heading", level=1, name="生态文明建设专栏")).to_be_visible()
    assert_accessible(page)

    page.get_by_test_id("filter-category").select_option(label="生态环境治理典型案例")
    page.get_by_test_id("filter-submit").click()
    expect(page).to_have_url(f"{column_site}/column/?category=cases&year=")
    articles = page.locator(".article-item")
    expect(articles.first).to_be_visible()
    assert articles.count() >= 5
    for label in page.locator(".article-item .tag").all_inner_texts():
        assert label == "生态环境治理典型案例"
    assert_accessible(page)

    page.get_by_role("link", name="东华街道、炳草岗街道垃圾分类示范片区的经验").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "东华街道、炳草岗街道垃圾分类示范片区的经验"
    )
    expect(page.locator("table.data caption")).to_have_text("生活垃圾分类四类标识")
    assert_accessible(page)

    search = page.get_by_test_id("site-search-input")
    search.fill("垃圾分类")
    search.press("Enter")
    expect(page.locator(".search-result").first).to_be_visible()
    expect(page.locator(".search-result__title mark").first).to_have_text("垃圾分类")
    assert_accessible(page)

    page.locator(".search-result__title a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("垃圾分类")
    assert_accessible(page)

    keyboard_and_phone_checks(column_site, page, phone_page)


def keyboard_and_phone_checks(column_site, page, phone_page):
    """The search box is reachable by keyboard; column, search and article fit a phone."""
    page.goto("/column/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.name === 'q'"):
            break
    else:
        pytest.fail("the search box was not reachable with Tab")
    page.keyboard.type("攀钢")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{column_site}/search/?q=%E6%94%80%E9%92%A2")
    expect(page.locator(".search-result").first).to_be_visible()

    patient(phone_page)
    for path in (
        "/column/",
        "/search/?q=%E6%94%80%E9%92%A2",
        "/column/pangang-converter-secondary-dust-removal/",
    ):
        phone_page.goto(path)
        assert not has_horizontal_scroll(phone_page), path
    assert_accessible(phone_page)
