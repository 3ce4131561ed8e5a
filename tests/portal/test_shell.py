"""The shared shell: health, error pages, language and the display toolbar, admin access."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from portal.demo import ensure_site_tree

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site():
    return ensure_site_tree()


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_unreachable():
    # A real unreachable database (nothing listens on port 1), not a mock.
    code = (
        "import django; django.setup();"
        "from django.test.utils import setup_test_environment; setup_test_environment();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, r.json()['database'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["503", "unavailable"], result.stderr


def test_home_page_is_in_chinese_by_default(client, site):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html
    assert "跳到主要内容" in html
    assert "生态文明建设专栏" in html  # a section page in the main navigation


def test_english_interface_lives_under_en(client, site):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Skip to main content" in html


def test_404_page_in_both_languages(client, site):
    zh = client.get("/no-such-page/")
    en = client.get("/en/no-such-page/")
    assert zh.status_code == en.status_code == 404
    assert "页面没有找到" in zh.content.decode()  # Django's own translation
    assert "Page not found" in en.content.decode()


def test_language_switch_keeps_the_page(client, site):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/column/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/column/"


def test_language_switch_back_to_chinese_leaves_the_english_prefix(client, site):
    client.post(reverse("set_language"), {"language": "en", "next": "/column/"})
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/en/column/"})
    assert response.status_code == 302
    assert response["Location"] == "/column/"


def test_display_settings_need_no_cookie_and_no_form(client, site):
    """The 无障碍 toolbar (text size, 适老模式, contrast, cursor, spacing) lives in the browser:
    an anonymous page sets no display cookie, carries no server form for it, and the old
    cookie changes nothing."""
    response = client.get("/column/")
    html = response.content.decode()
    assert 'data-testid="a11y-toolbar"' in html
    assert "js/a11y-init.js" in html and "js/a11y.js" in html
    assert "portal_elderly" not in response.cookies
    assert "shell/elderly" not in html
    client.cookies["portal_elderly"] = "1"
    assert 'class="elderly"' not in client.get("/column/").content.decode()


def test_anonymous_user_cannot_open_the_admin(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/pages/"


def test_my_account_requires_login(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_csrf_failure_page_is_in_the_site_look(client, site):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()


def test_footer_shows_the_registration_numbers_from_site_settings(client, site):
    from portal.models import PortalSettings

    settings = PortalSettings.for_site(site)
    settings.icp_number = "蜀ICP备12345678号"
    settings.website_code = "5104020099"
    settings.save()
    html = client.get("/").content.decode()
    assert "蜀ICP备12345678号" in html
    assert "5104020099" in html
