"""Enterprise disclosure in a real browser: an enterprise files its annual and a temporary
report; a resident on a phone finds a factory, reads its report and its monitoring chart; the
bureau sees who is late. Public pages are checked with axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from portal.uploads import sample_pdf
from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def enterprise_site(site_url):
    from enterprises import demo

    demo.seed()
    return site_url


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def test_an_enterprise_files_its_annual_report_and_a_temporary_report(enterprise_site, page):
    sign_in(page, "enterprise@demo.local")
    page.goto("/enterprises/filing/")
    expect(page.get_by_role("heading", name="企业填报", level=1)).to_be_visible()
    expect(page.get_by_test_id("annual-state")).to_contain_text("已超期")
    assert_accessible(page)

    page.get_by_test_id("file-annual").click()
    form = page.get_by_test_id("annual-form")
    # A negative amount without a unit: refused with a message, nothing saved.
    form.get_by_label("一、企业基本信息").fill("示例选矿企业，年处理原矿 300 万吨。")
    rows = page.get_by_test_id("formset-emissions")
    rows.locator("input[name=emissions-0-outlet]").fill("DA001")
    rows.locator("input[name=emissions-0-pollutant]").fill("颗粒物")
    rows.locator("input[name=emissions-0-amount]").fill("-3")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(rows).to_contain_text("数量不能为负数")
    expect(rows).to_contain_text("请填写数量的单位")
    assert_accessible(page)

    rows = page.get_by_test_id("formset-emissions")
    rows.locator("input[name=emissions-0-amount]").fill("3.5")
    rows.locator("select[name=emissions-0-unit]").select_option("t")
    for label, text in [
        ("二、企业环境管理信息", "持有排污许可证，按时缴纳环境保护税。"),
        ("三、污染物产生、治理与排放信息", "配套建设除尘设施，运行正常。"),
        ("四、碳排放信息", "按指南核算。"),
        # The demo enterprise is under a mandatory clean-production audit: an extra part (第十二条).
        ("附加：强制性清洁生产审核信息", "审核已于上年完成评估与验收。"),
    ]:
        page.get_by_label(re.compile("^" + label)).fill(text)
    carbon = page.get_by_test_id("formset-carbon_emissions")
    carbon.locator("select[name=carbon_emissions-0-scope]").select_option("direct")
    carbon.locator("input[name=carbon_emissions-0-amount]").fill("5200")
    # A renamed image is refused by its content; the real PDF is kept with the draft.
    files = page.get_by_test_id("attachments-field")
    files.locator("input[name=attachments]").set_input_files(
        [{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"\xff\xd8\xff\xe0JFIF"}]
    )
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_test_id("attachments-field")).to_contain_text("scan.pdf")
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    files = page.get_by_test_id("attachments-field")
    files.locator("input[name=attachments]").set_input_files(
        [{"name": "monitoring.pdf", "mimeType": "application/pdf", "buffer": sample_pdf("m")}]
    )
    files.get_by_label("附件名称").fill("2025年度自行监测报告")
    page.get_by_test_id("save-draft").click()
    expect(page.get_by_text("草稿已保存")).to_be_visible()
    expect(page.get_by_test_id("attachments-field")).to_contain_text("2025年度自行监测报告")
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_text("第 1 版已提交并公开")).to_be_visible()
    expect(page.get_by_text("报告已公开并标注为逾期")).to_be_visible()
    expect(page.get_by_test_id("report-status")).to_have_text("已提交")
    # A second submission is not possible: the page offers a correction instead.
    expect(page.get_by_test_id("submit-report")).to_have_count(0)
    expect(page.get_by_test_id("open-correction")).to_be_visible()

    page.goto("/enterprises/filing/")
    page.get_by_test_id("file-temporary").click()
    form = page.get_by_test_id("temporary-form")
    form.get_by_label("法律文书类型").select_option("penalty")
    form.get_by_label("文号").fill("攀东环罚〔2026〕99号")
    form.get_by_label("作出机关").fill("攀枝花市东区生态环境局")
    received = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    form.get_by_label("收到日期").fill(received)
    form.get_by_label("法律文书的主要内容及企业采取的措施").fill("已缴纳罚款并完成整改。")
    assert_accessible(page)
    page.get_by_test_id("submit-temporary").click()
    expect(page.get_by_text("已受理并标注为逾期")).to_be_visible()

    # The bureau registered a penalty served yesterday: the form comes filled in from its record.
    page.get_by_test_id("open-documents").get_by_test_id("file-for-document").click()
    expect(page.get_by_test_id("registered-document")).to_contain_text("攀东环罚〔2026〕21号")
    form = page.get_by_test_id("temporary-form")
    expect(form.get_by_label("文号")).to_have_value("攀东环罚〔2026〕21号")
    form.get_by_label("法律文书的主要内容及企业采取的措施").fill("已按决定书要求完成整改。")
    form.locator("input[name=attachments]").set_input_files(
        [{"name": "decision.pdf", "mimeType": "application/pdf", "buffer": sample_pdf("d")}]
    )
    page.get_by_test_id("submit-temporary").click()
    expect(page.get_by_text("临时报告已报送并公开")).to_be_visible()
    expect(page.get_by_test_id("open-documents")).to_have_count(0)

    page.goto("/enterprises/")
    page.get_by_label("名称或统一社会信用代码").fill("选矿")
    page.get_by_test_id("enterprise-search").get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="示例·东区钒钛磁铁矿选矿有限公司").click()
    expect(page.get_by_test_id("report-table")).to_contain_text("2025")
    expect(page.get_by_test_id("temporary-table")).to_contain_text("攀东环罚〔2026〕99号")
    expect(page.get_by_test_id("temporary-table")).to_contain_text("decision")
    page.get_by_test_id("report-table").get_by_role("link", name="第 1 版").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025 年度报告")
    attachments = page.get_by_test_id("attachments")
    expect(attachments).to_contain_text("2025年度自行监测报告")
    href = attachments.get_by_role("link").first.get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "application/pdf"


def test_a_resident_finds_a_factory_and_reads_its_report_and_chart_on_a_phone(
    enterprise_site, phone_page
):
    page = phone_page
    page.goto("/enterprises/")
    expect(page.get_by_role("heading", level=1)).to_have_text("企业环境信息依法披露")
    assert_accessible(page)
    assert not has_horizontal_scroll(page)
    page.get_by_label("名称或统一社会信用代码").fill("钢铁")
    page.get_by_test_id("enterprise-search").get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="示例·东区钢铁有限公司").click()
    expect(page.get_by_test_id("credit-code")).to_have_text("91510402MA600001XX")
    assert_accessible(page)
    assert not has_horizontal_scroll(page)

    page.get_by_role("link", name="第 2 版").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2024 年度报告")
    expect(page.locator(".message--warning")).to_contain_text("更正二氧化硫年排放量")
    expect(page.get_by_test_id("fingerprint")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert_accessible(page)
    assert not has_horizontal_scroll(page)
    page.go_back()

    page.get_by_test_id("monitoring-link").click()
    chart = page.get_by_test_id("chart-DA001-so2")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart.get_by_test_id("limit-line")).to_have_count(1)
    expect(chart).to_contain_text("1 个数值超标")
    chart.get_by_text("以表格查看数值").click()
    expect(chart.locator("table")).to_be_visible()
    expect(page.get_by_test_id("exceedances")).to_contain_text("DA001")
    assert_accessible(page)
    assert not has_horizontal_scroll(page)


def test_the_bureau_sees_late_and_missing_filers(enterprise_site, page):
    sign_in(page, "disclosure@demo.local")
    page.goto("/admin/enterprise-disclosure/?year=2025")
    expect(page.get_by_test_id("queue-missing")).to_contain_text("示例·东区钒钛磁铁矿选矿有限公司")
    expect(page.get_by_test_id("queue-late")).to_contain_text("示例·东区焦化有限公司")
    expect(page.get_by_test_id("late-temporary")).to_contain_text("攀东环罚〔2026〕5号")
    expect(page.get_by_test_id("compliance")).to_contain_text("按时")
    # A coercive measure served in November was never answered: missing in the queue.
    expect(page.get_by_test_id("open-documents")).to_contain_text("攀东环责改〔2026〕11号")
    page.get_by_role("button", name="立即发送提醒").click()
    expect(page.get_by_text(re.compile(r"已排队发送 \d+ 条提醒"))).to_be_visible()

    # Register a penalty served today: its temporary report is due in 5 working days.
    page.get_by_test_id("open-documents").get_by_role("link", name="登记法律文书").click()
    form = page.get_by_test_id("document-form")
    form.get_by_label("企业", exact=True).select_option(label="示例·东区焦化有限公司")
    form.get_by_label("法律文书类型").select_option("penalty")
    form.get_by_label("文号").fill("攀东环罚〔2026〕30号")
    form.get_by_label("作出机关").fill("攀枝花市东区生态环境局")
    form.get_by_label("送达日期").fill(dt.date.today().isoformat())
    form.get_by_role("button", name="登记文书").click()
    expect(
        page.get_by_text(re.compile("已为示例·东区焦化有限公司登记攀东环罚〔2026〕30号"))
    ).to_be_visible()
    expect(page.get_by_test_id("documents")).to_contain_text("攀东环罚〔2026〕30号")
