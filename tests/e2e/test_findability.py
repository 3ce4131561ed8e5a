"""Findable journeys (issue 14, part 1): from the home page, by menu and links alone, a resident
reaches the report form and files a report (desktop and 375 px), and reaches the site map and the
纠错 form. axe finds nothing serious or critical; screenshots of home, hub and site map are kept
in test-results/ for review."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import RESULTS_DIR


@pytest.fixture
def findable_site(site_url):
    """The demo site tree plus the report hub, its guide and the footer pages."""
    import cms.demo
    import portal.tipoffs.demo
    from cms.models import HomePage

    portal.tipoffs.demo.ensure_hub()
    home = HomePage.objects.get()
    cms.demo.ensure_standard_pages(home)
    cms.demo.ensure_footer_pages(home)
    return site_url


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def shot(page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / f"findability-{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_resident_reaches_the_report_form_from_home_by_links_and_files_a_report(
    findable_site, page, phone_page, size
):
    p = page if size == "desktop" else phone_page
    p.goto("/")
    assert no_horizontal_scroll(p)
    assert_accessible(p)
    shot(p, f"home-{size}")
    if size == "phone":
        p.get_by_test_id("menu-toggle").click()  # on a phone the menu opens from 菜单
    p.get_by_role("navigation", name="主导航").get_by_role("link", name="环境污染举报").click()
    expect(p.get_by_test_id("report-hub")).to_be_visible()
    expect(p.get_by_test_id("urgent-numbers")).to_contain_text("12369")
    assert no_horizontal_scroll(p)
    assert_accessible(p)
    shot(p, f"hub-{size}")
    for test_id in ("hub-track", "hub-cases", "hub-stats"):
        expect(p.get_by_test_id(test_id)).to_be_visible()
    expect(p.get_by_role("link", name="环境污染举报途径")).to_be_visible()
    p.get_by_test_id("hub-new").click()
    expect(p).to_have_url(re.compile(r"/tipoffs/new$"))
    p.select_option("select[name=category]", label="扬尘")
    p.select_option("select[name=subdistrict]", label="东华街道")
    p.fill("input[name=address]", "东华街道攀枝花大道东段88号工地")
    p.fill("textarea[name=description]", "工地夜间施工扬尘很大，没有覆盖防尘网。")
    p.check("input[name=confidentiality][value=anonymous]")
    p.get_by_test_id("submit-report").click()
    expect(p.get_by_test_id("tracking-code")).to_have_text(
        re.compile(r"^[2-9A-Z]{4}(-[2-9A-Z]{4}){4}$")
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_footer_leads_to_the_site_map_and_the_error_form(findable_site, page, phone_page, size):
    from cms.models import PageErrorReport

    p = page if size == "desktop" else phone_page
    p.goto("/report/")
    p.get_by_test_id("footer-site-map").click()
    expect(p.get_by_test_id("site-map")).to_be_visible()
    expect(p.get_by_test_id("site-map").get_by_role("link", name="我要举报").first).to_be_visible()
    assert no_horizontal_scroll(p)
    assert_accessible(p)
    shot(p, f"site-map-{size}")
    p.go_back()
    p.get_by_test_id("footer-report-error").click()
    expect(p.locator("input[name=page_url]")).to_have_value("/report/")
    assert_accessible(p)
    p.get_by_test_id("submit-error-report").click()  # nothing described yet
    expect(p.get_by_test_id("error-summary")).to_be_visible()
    p.fill("textarea[name=description]", "紧急电话一栏缺少 12345 热线的说明。")
    p.get_by_test_id("submit-error-report").click()
    expect(p).to_have_url(re.compile(r"/report/$"))
    expect(p.get_by_role("status")).to_contain_text("谢谢")
    assert PageErrorReport.objects.filter(page_url="/report/").count() == 1


def test_the_english_site_map_is_in_english(findable_site, page):
    page.goto("/en/site-map/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Site map")
    expect(page.get_by_test_id("site-map")).to_contain_text("Report pollution")
    assert_accessible(page)
    shot(page, "site-map-en")
