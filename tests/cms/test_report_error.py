"""纠错 (report an error on a page): prefilled, validated, stored, sent to the administrators
through the outbox, rate limited and CSRF-protected (issue 14, part 1)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cms.models import PageErrorReport
from portal.models import Notification

pytestmark = pytest.mark.django_db

URL = "/report-error/"


@pytest.fixture
def site(home):
    return home


def test_the_form_is_prefilled_with_the_page_the_visitor_came_from(client, site):
    html = client.get(URL, {"page": "/disclosure/?year=2025"}).content.decode()
    assert 'value="/disclosure/?year=2025"' in html
    html = client.get(URL, HTTP_REFERER="http://testserver/report/").content.decode()
    assert 'value="/report/"' in html


def test_a_foreign_page_is_not_prefilled(client, site):
    response = client.get(URL, {"page": "https://evil.example/x"})
    assert response.context["form"].initial["page_url"] == ""


def test_a_report_is_stored_and_e_mailed_to_every_administrator(
    client, site, administrator, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {"page_url": "/report/", "description": "电话号码写错了，应为12369。", "contact": ""},
        )
    assert response.status_code == 302 and response["Location"] == "/report/"
    report = PageErrorReport.objects.get()
    assert report.page_url == "/report/" and "12369" in report.description
    rows = Notification.objects.filter(event="cms.error_reported")
    assert [(r.recipient_kind, r.recipient_id, r.channel) for r in rows] == [
        ("user", administrator.pk, "email")
    ]
    assert [m.to for m in mail.outbox] == [[administrator.email]]
    assert "/report/" in mail.outbox[0].subject and "12369" in mail.outbox[0].body


def test_bad_input_re_renders_with_translated_errors_and_stores_nothing(client, site):
    response = client.post(URL, {"page_url": "https://evil.example/", "description": "错"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写本网站页面的地址" in html
    assert "请至少用五个字描述错误内容" in html
    assert not PageErrorReport.objects.exists()


def test_reports_are_rate_limited_per_client(client, site, settings):
    settings.CMS_RATE_LIMITS = {"error_report_client": (2, 3600)}
    data = {"page_url": "/", "description": "首页的日期不对。"}
    assert client.post(URL, data).status_code == 302
    assert client.post(URL, data).status_code == 302
    response = client.post(URL, data)
    assert response.status_code == 429
    assert "提交纠错次数过多" in response.content.decode()
    assert PageErrorReport.objects.count() == 2


def test_a_post_without_the_csrf_token_is_refused(site):
    client = Client(enforce_csrf_checks=True)
    response = client.post(URL, {"page_url": "/", "description": "首页的日期不对。"})
    assert response.status_code == 403
    assert not PageErrorReport.objects.exists()


def test_the_footer_links_the_site_map_the_footer_pages_and_the_error_form(client, site):
    import cms.demo

    cms.demo.seed()
    html = client.get("/").content.decode()
    for text in ("网站地图", "关于我们", "联系我们", "无障碍声明", "隐私政策", "纠错"):
        assert text in html, text
    assert f'href="{reverse("cms:report_error")}?page=/"' in html


def test_administrators_see_the_reports_in_the_admin(client, site, administrator):
    PageErrorReport.objects.create(page_url="/x/", description="链接失效了。")
    client.force_login(administrator)
    response = client.get(reverse("wagtailsnippets_cms_pageerrorreport:list"))
    assert response.status_code == 200
    assert "/x/" in response.content.decode()
