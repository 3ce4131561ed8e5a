"""Pollution report journey: a citizen reports with a photo from a phone and tracks it, the
intake officer accepts and assigns it in the admin, the handler resolves it, the citizen sees
the outcome and rates it. Accessibility is checked on every public page of the journey."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible


def photo_bytes() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (80, 60), (90, 140, 70)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def open_case_action(page, action: str) -> None:
    page.locator(f"details[data-action='{action}'] summary").click()


def test_a_report_goes_from_a_phone_to_an_answered_and_rated_case(new_page, phone_page):
    from django.utils import timezone

    from portal.models import HolidayCalendarYear

    # A 60-day deadline from late in the year falls into next year, which chinese-calendar 1.11
    # does not know: the administrator's step of declaring that year's calendar.
    HolidayCalendarYear.objects.get_or_create(
        year=timezone.localdate().year + 1, defaults={"source": "e2e: weekends only"}
    )
    citizen = phone_page
    citizen.set_default_timeout(30_000)  # several admin steps on a shared CI machine
    citizen.goto("/en/tipoffs/new")
    assert no_horizontal_scroll(citizen)
    assert_accessible(citizen)
    # Under /en/ the categories show their English names.
    from portal.tipoffs.models import Category

    citizen.select_option(
        "select[name=category]", value=str(Category.objects.get(code="air-dust").pk)
    )
    citizen.select_option("select[name=subdistrict]", label="东华街道")
    citizen.fill("input[name=address]", "东华街道攀枝花大道东段88号工地")
    citizen.fill("textarea[name=description]", "工地夜间施工扬尘很大，没有覆盖防尘网。")
    citizen.set_input_files(
        "input[name=photos]",
        files=[{"name": "dust.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}],
    )
    citizen.check("input[name=confidentiality][value=real_name]")
    citizen.fill("input[name=name]", "张保密")
    citizen.fill("input[name=phone]", "13912345678")
    citizen.check("input[name=consent]")
    citizen.get_by_test_id("submit-report").click()
    code = citizen.get_by_test_id("tracking-code")
    expect(code).to_have_text(re.compile(r"^[2-9A-Z]{4}(-[2-9A-Z]{4}){4}$"))
    assert_accessible(citizen)
    citizen.get_by_role("link", name="Follow this report").click()
    expect(citizen.get_by_test_id("status")).to_contain_text("Submitted")
    assert_accessible(citizen)

    officer = new_page()
    officer.set_default_timeout(30_000)
    sign_in(officer, "intake@demo.local")
    officer.goto("/admin/tipoffs/?queue=new")
    officer.get_by_test_id("case-table").get_by_role("link").first.click()
    expect(officer.get_by_test_id("admin-state")).to_contain_text(re.compile("已提交|Submitted"))
    assert "13912345678" not in officer.content()
    open_case_action(officer, "accept")
    officer.get_by_test_id("action-accept").get_by_role("button").click()
    expect(officer.get_by_test_id("admin-state")).to_contain_text(re.compile("已受理|Accepted"))
    open_case_action(officer, "assign")
    form = officer.get_by_test_id("action-assign")
    form.get_by_label("东区生态环境局").check()
    form.get_by_role("button").click()
    expect(officer.get_by_test_id("admin-state")).to_contain_text(re.compile("已交办|Assigned"))
    case_url = officer.url

    handler = new_page()
    handler.set_default_timeout(30_000)
    sign_in(handler, "handler@demo.local")
    handler.goto(case_url)
    assert "13912345678" not in handler.content() and "张保密" not in handler.content()
    open_case_action(handler, "start_investigation")
    handler.get_by_test_id("action-start_investigation").get_by_role("button").click()
    expect(handler.get_by_test_id("admin-state")).to_contain_text(
        re.compile("核查中|Investigating")
    )
    open_case_action(handler, "resolve")
    resolve = handler.get_by_test_id("action-resolve")
    resolve.locator("select[name=finding]").select_option("true")
    resolve.locator("textarea[name=measures]").fill("责令工地立即覆盖防尘网并洒水降尘。")
    resolve.locator("textarea[name=public_reply]").fill(
        "经现场核查，您反映的问题属实，已责令整改。"
    )
    resolve.get_by_role("button").click()
    expect(handler.get_by_test_id("admin-state")).to_contain_text(re.compile("已办结|Resolved"))

    citizen.reload()
    outcome = citizen.get_by_test_id("outcome")
    expect(outcome).to_contain_text("已责令整改")
    expect(citizen.get_by_test_id("timeline")).to_contain_text("东区生态环境局")
    assert_accessible(citizen)
    rate = citizen.get_by_test_id("rate-form")
    rate.locator("input[name=rating][value='5']").check()
    rate.get_by_role("button").click()
    expect(citizen.get_by_test_id("status")).to_contain_text("Closed")
    assert no_horizontal_scroll(citizen)


def test_public_cases_and_statistics_are_accessible_on_a_phone(phone_page):
    for url in ("/en/tipoffs/cases", "/en/tipoffs/stats", "/en/tipoffs/track"):
        phone_page.goto(url)
        assert no_horizontal_scroll(phone_page), url
        assert_accessible(phone_page)


def test_the_intake_officer_accepts_and_assigns_new_reports_in_bulk(new_page, category_reports):
    """The queue's Wagtail bulk action: tick reports, choose a department, each is assigned."""
    officer = new_page()
    officer.set_default_timeout(30_000)
    sign_in(officer, "intake@demo.local")
    officer.goto("/admin/tipoffs/?queue=new")
    table = officer.get_by_test_id("case-table")
    for reference in category_reports:
        table.get_by_role("row").filter(has_text=reference).locator(
            "input[data-bulk-action-checkbox]"
        ).check()
    footer = officer.get_by_test_id("bulk-actions")
    footer.get_by_role("link", name=re.compile("受理并分派|Accept and assign")).click()
    items = officer.get_by_test_id("bulk-assign-items")
    for reference in category_reports:
        expect(items).to_contain_text(reference)
    officer.get_by_label("东区生态环境局").check()
    officer.get_by_role("button", name=re.compile("受理并分派|Accept and assign")).click()
    expect(officer.locator(".messages")).to_contain_text(re.compile("已分派 2|2 reports assigned"))
    assert "/admin/tipoffs/" in officer.url


@pytest.fixture
def category_reports(site_url):
    """Two new reports, submitted through the workflow as the public form does."""
    import datetime as dt

    from django.utils import timezone

    from portal.models import HolidayCalendarYear, Subdistrict
    from portal.tipoffs import workflow
    from portal.tipoffs.models import Category

    HolidayCalendarYear.objects.get_or_create(
        year=timezone.localdate().year + 1, defaults={"source": "e2e: weekends only"}
    )
    references = []
    for n in range(2):
        tipoff = workflow.tipoff_submit(
            category=Category.objects.get(code="air-dust"),
            subdistrict=Subdistrict.objects.get(code="donghua"),
            address=f"东华街道攀枝花大道东段{n + 10}号",
            observed_at=timezone.now() - dt.timedelta(hours=1),
            description="批量分派测试：工地扬尘很大，夜间也在施工。",
            confidentiality="anonymous",
        )
        references.append(tipoff.reference)
    return references
