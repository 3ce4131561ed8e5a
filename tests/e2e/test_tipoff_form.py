"""The report form helps before sending: with no map tiles configured (no map, no external
request) the resident picks the category and sub-district, sees the open report of the same
kind nearby, and can still file; a form sent back shows its error summary, focused. Screenshots
of the form at 375 px and on a desktop go to test-results/ (looked at when changing the form)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import RESULTS_DIR


def existing_open_report():
    from django.utils import timezone

    from portal.models import Subdistrict
    from portal.tipoffs import workflow
    from portal.tipoffs.models import Category, Confidentiality

    return workflow.tipoff_submit(
        category=Category.objects.get(name="扬尘"),
        subdistrict=Subdistrict.objects.get(name="东华街道"),
        address="东华街道攀枝花大道东段88号工地",
        observed_at=timezone.now() - dt.timedelta(hours=3),
        description="工地扬尘很大，夜间也在施工，没有覆盖防尘网。",
        confidentiality=Confidentiality.ANONYMOUS,
    )


def test_with_the_map_off_a_resident_sees_nearby_reports_before_sending(new_page, settings):
    settings.TIPOFFS_MAP_TILE_URL = ""
    existing_open_report()
    requests = []
    for name, viewport in (("phone", {"width": 375, "height": 740}), ("desktop", None)):
        page = new_page(viewport=viewport, is_mobile=name == "phone")
        page.on("request", lambda r: requests.append(r.url))
        page.goto("/tipoffs/new")
        expect(page.get_by_test_id("tipoff-map")).to_have_count(0)
        nearby = page.get_by_test_id("nearby")
        expect(nearby).to_be_hidden()
        expect(page.locator("select[name=category] option").first).to_have_text("请选择")
        page.select_option("select[name=category]", label="扬尘")
        page.select_option("select[name=subdistrict]", label="东华街道")
        expect(nearby).to_be_visible()
        expect(nearby).to_contain_text("扬尘 · 东华街道")
        expect(nearby).to_contain_text("正在办理")
        assert_accessible(page)
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=str(RESULTS_DIR / f"tipoff-form-{name}.png"), full_page=True)
    assert all(url.startswith(page.url.split("/tipoffs")[0]) for url in requests), requests

    # Sent with a too-short description: the error summary, focused, links to the field.
    page.fill("input[name=address]", "东华街道攀枝花大道东段88号")
    page.fill("textarea[name=description]", "太脏")
    page.check("input[name=confidentiality][value=anonymous]")
    page.get_by_test_id("submit-report").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请至少填写 10 个字")
    summary.get_by_role("link", name="请至少填写", exact=False).click()
    expect(page.locator("textarea[name=description]")).to_be_focused()
    assert_accessible(page)

    page.fill("textarea[name=description]", "工地扬尘很大，夜间也在施工，没有覆盖防尘网。")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("tracking-code")).to_be_visible()
