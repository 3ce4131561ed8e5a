"""A resident's journey through 生态环境信息公开 in a real browser, checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible

VALID_ID = "11010519491231002X"

# The live server needs a transactional database; the flush after each test would also remove
# the rows the migrations created (Wagtail's root page, roles, the plan's data), so each test
# restores them from the post-migration snapshot (marker form: applied before the flush).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def disclosure_site(site_url):
    from disclosure import demo

    demo.seed(item_limit=14)  # the index page, 14 items (one with two versions), data, requests
    return site_url


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_a_resident_browses_opens_an_item_and_its_history_then_files_and_tracks_a_request(
    disclosure_site, page, phone_page
):
    page.goto("/disclosure/")
    expect(page.get_by_role("heading", name="生态环境信息公开", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="环境监测", exact=True).click()
    expect(page).to_have_url(re.compile(r"category=\d+"))
    page.get_by_role("link", name="2025年第一季度重点排污单位监督性监测结果").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "2025年第一季度重点排污单位监督性监测结果"
    )
    expect(page.locator(".meta-table")).to_contain_text("11510402MB")
    assert_accessible(page)

    page.get_by_test_id("version-history").click()
    expect(page.locator("code.fingerprint")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("v1.*v2")).click()
    expect(page.get_by_test_id("diff").locator("ins")).to_contain_text("整改已于2025年5月完成")
    assert_accessible(page)

    page.goto("/disclosure/requests/new/")
    assert_accessible(page)
    form = page.get_by_test_id("request-form")
    form.locator("select[name=applicant_type]").select_option("person")
    form.locator("input[name=applicant_name]").fill("王小明")
    form.locator("select[name=id_type]").select_option("resident_id")
    form.locator("input[name=id_number]").fill(VALID_ID)
    form.locator("input[name=email]").fill("wang@example.org")
    form.locator("textarea[name=description]").fill(
        "请公开2025年第二季度集中式饮用水水源地水质监测数据。"
    )
    form.locator("select[name=delivery]").select_option("email")
    form.locator("input[name=consent]").check()
    page.get_by_test_id("submit-request").click()
    tracking = page.get_by_test_id("tracking-number")
    expect(tracking).to_have_text(re.compile(r"^YSQ\d{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    number = tracking.inner_text()
    assert_accessible(page)

    page.goto("/disclosure/requests/status/")
    page.locator("input[name=tracking_number]").fill(number)
    page.locator("input[name=id_last4]").fill("002X")
    page.locator("form.status-form button[type=submit]").click()
    expect(page.get_by_test_id("request-status")).to_contain_text(number)
    assert_accessible(page)

    # The same section on a phone: no horizontal scrolling, still accessible.
    for path in (
        "/disclosure/",
        "/disclosure/indicators/",
        "/disclosure/projects/",
        "/disclosure/rate/",
    ):
        phone_page.goto(path)
        assert not has_horizontal_scroll(phone_page), path
    assert_accessible(phone_page)
