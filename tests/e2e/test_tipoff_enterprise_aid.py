"""A resident reporting a factory sees, while typing its name into the report form, what the
factory disclosed: its latest annual report, its temporary reports and its recent exceedances,
with the link to the monitoring chart (enterprise disclosure, issue 19). On a 375 px phone and a
desktop; screenshots go to test-results/ (looked at when changing the form)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import RESULTS_DIR

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FACTORY = "示例·东区钢铁有限公司"


@pytest.fixture
def enterprise_site(site_url):
    from enterprises import demo

    demo.seed()
    return site_url


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def type_the_factory(page):
    page.goto("/tipoffs/new")
    aid = page.get_by_test_id("party-aid")
    expect(aid).to_be_hidden()
    field = page.get_by_label("涉及的单位或工厂（如知道）")
    field.scroll_into_view_if_needed()
    field.press_sequentially("东区钢铁厂", delay=60)
    expect(aid).to_be_visible()
    card = aid.get_by_test_id("aid-card")
    expect(card).to_have_count(1)
    return aid, card


def test_a_resident_on_a_phone_sees_the_factorys_disclosures_and_opens_its_chart(
    enterprise_site, phone_page, new_page
):
    page = phone_page
    aid, card = type_the_factory(page)
    expect(aid.get_by_role("status")).to_have_text("名单中有 1 家相符的企业。")
    expect(card.get_by_role("heading", name=FACTORY)).to_be_visible()
    expect(card).to_contain_text("91510402MA600001XX")
    # The latest version of the newest year, the temporary report, the exceedance.
    expect(card).to_contain_text("最新年度报告")
    expect(card).to_contain_text("2025 年度报告第 1 版")
    expect(card.get_by_role("link", name="阅读报告")).to_have_attribute(
        "href", "/enterprises/91510402MA600001XX/reports/2025/v1/"
    )
    expect(card).to_contain_text("91510402MA600001XX001P（变更）")
    expect(card).to_contain_text("近 90 天有 1 次超标")
    # The list link now searches for what was typed (without 厂).
    expect(aid.get_by_role("link", name="在企业环境信息依法披露名单中查找")).to_have_attribute(
        "href", "/enterprises/?q=%E4%B8%9C%E5%8C%BA%E9%92%A2%E9%93%81"
    )
    assert_accessible(page)
    assert not has_horizontal_scroll(page)
    RESULTS_DIR.mkdir(exist_ok=True)
    aid.screenshot(path=str(RESULTS_DIR / "tipoff-enterprise-aid-phone.png"))
    page.screenshot(path=str(RESULTS_DIR / "tipoff-enterprise-aid-phone-page.png"), full_page=True)

    desktop = new_page()
    desktop_aid, _card = type_the_factory(desktop)
    assert_accessible(desktop)
    desktop_aid.screenshot(path=str(RESULTS_DIR / "tipoff-enterprise-aid-desktop.png"))

    # Deleting the name hides the box again; typing it back shows it.
    field = page.get_by_label("涉及的单位或工厂（如知道）")
    field.fill("")
    expect(aid).to_be_hidden()
    field.fill("东区钢铁")
    expect(card).to_be_visible()

    card.get_by_role("link", name="监测图表和超标记录").click()
    expect(page).to_have_url(f"{enterprise_site}/enterprises/91510402MA600001XX/monitoring/")
    chart = page.get_by_test_id("chart-DA001-so2")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart).to_contain_text("1 个数值超标")
    assert not has_horizontal_scroll(page)


def test_the_intake_officer_sees_the_reported_unit_and_its_disclosures(enterprise_site, new_page):
    from django.utils import timezone

    from portal.models import Subdistrict
    from portal.tipoffs import workflow
    from portal.tipoffs.models import Category, Confidentiality

    tipoff = workflow.tipoff_submit(
        category=Category.objects.get(name="扬尘"),
        subdistrict=Subdistrict.objects.get(code="nongnongping"),
        address="弄弄坪示例路1号东门外",
        observed_at=timezone.now(),
        description="烧结机头冒黄烟，气味刺鼻，已持续两天。",
        confidentiality=Confidentiality.ANONYMOUS,
        reported_party="东区钢铁厂",
    )
    for name, viewport in (("desktop", None), ("phone", {"width": 375, "height": 740})):
        officer = new_page(viewport=viewport, is_mobile=name == "phone")
        sign_in(officer, "intake@demo.local")
        officer.goto(f"/admin/tipoffs/{tipoff.pk}/")
        expect(officer.get_by_test_id("admin-reported-party")).to_have_text("东区钢铁厂")
        aid = officer.get_by_test_id("admin-party-aid")
        expect(aid.get_by_role("link", name=FACTORY)).to_have_attribute(
            "href", "/enterprises/91510402MA600001XX/"
        )
        expect(aid).to_contain_text("近 90 天有 1 次超标")
        aid.screenshot(path=str(RESULTS_DIR / f"tipoff-case-party-aid-{name}.png"))
