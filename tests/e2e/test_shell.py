"""The site shell in a real browser: languages, elderly-friendly mode, small screens, errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_accessible

CJK = re.compile(r"[\u4e00-\u9fff]")


def root_font_size(page) -> float:
    return float(
        page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    )


def has_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


def site_stylesheet_applied(page) -> bool:
    return page.evaluate(
        """() => [...document.styleSheets].some(
            (sheet) => (sheet.href || "").endsWith("/static/css/site.css") && sheet.cssRules.length > 0
        )"""
    )


def test_the_home_page_loads_in_simplified_chinese_and_is_accessible(page):
    response = page.goto("/")

    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("a.skip-link")).to_have_text("跳到主要内容")
    # "Home" is marked current only when the page served is the Site's root page, which shows
    # that Wagtail matched the live server's localhost:<port> to the demo Site (localhost:80).
    home = page.locator(".main-nav").get_by_role("link", name="首页", exact=True)
    expect(home).to_be_visible()
    expect(home).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("lang-en")).to_be_visible()
    assert_accessible(page)


def test_a_visitor_can_switch_to_english_and_back_to_chinese(page, site_url):
    page.goto("/")

    page.get_by_test_id("lang-en").click()

    expect(page).to_have_url(f"{site_url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("a.skip-link")).to_have_text("Skip to main content")
    expect(page.locator(".main-nav").get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(page.get_by_test_id("lang-en")).to_have_count(0)

    page.get_by_test_id("lang-zh-hans").click()

    expect(page).to_have_url(f"{site_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".main-nav").get_by_role("link", name="首页", exact=True)).to_be_visible()


def test_elderly_mode_enlarges_text_and_is_remembered_until_turned_off(page):
    page.goto("/")
    html = page.locator("html")
    toggle = page.get_by_test_id("elderly-toggle")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    standard_size = root_font_size(page)

    toggle.click()

    expect(html).to_have_class(re.compile(r"\belderly\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert root_font_size(page) > standard_size

    page.reload()
    expect(html).to_have_class(re.compile(r"\belderly\b"))

    page.goto("/accounts/login/")
    expect(html).to_have_class(re.compile(r"\belderly\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    assert root_font_size(page) > standard_size

    toggle.click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(html).not_to_have_class(re.compile(r"\belderly\b"))
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert root_font_size(page) == standard_size
    page.goto("/")
    expect(html).not_to_have_class(re.compile(r"\belderly\b"))


def test_the_home_page_in_elderly_mode_is_accessible(page):
    page.goto("/")
    page.get_by_test_id("elderly-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\belderly\b"))

    assert_accessible(page)


@pytest.mark.parametrize("elderly", [False, True], ids=["standard", "elderly"])
def test_the_home_page_does_not_scroll_sideways_on_a_375px_phone(phone_page, elderly):
    phone_page.goto("/")
    if elderly:
        phone_page.get_by_test_id("elderly-toggle").click()
        expect(phone_page.locator("html")).to_have_class(re.compile(r"\belderly\b"))

    assert phone_page.evaluate("() => document.documentElement.clientWidth") == 375
    assert not has_horizontal_scroll(phone_page), phone_page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth)
            .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))"""
    )


def test_the_sign_in_page_renders_in_the_site_shell_and_is_accessible(page):
    response = page.goto("/accounts/login/")

    assert response.status == 200
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("nav.main-nav")).to_be_visible()
    expect(page.locator("main#main form")).to_be_visible()
    expect(page.locator('input[type="password"]')).to_be_visible()
    assert site_stylesheet_applied(page)
    assert_accessible(page)


def test_a_missing_page_shows_the_chinese_404_page_in_the_site_look(page):
    response = page.goto("/does-not-exist/")

    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("header.site-header")).to_be_visible()
    heading = page.locator("main h1")
    expect(heading).to_have_text(CJK)
    expect(page.locator('main a[lang="en"]')).to_have_attribute("href", "/en/")
    assert site_stylesheet_applied(page)
    assert_accessible(page)


def test_a_missing_page_shows_the_english_404_page_in_the_site_look(page):
    response = page.goto("/en/does-not-exist/")

    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Page not found")
    expect(page.locator('main a[lang="zh-hans"]')).to_have_attribute("href", "/")
    assert site_stylesheet_applied(page)
    assert_accessible(page)


# Main public pages of the demo site, each under the production Content-Security-Policy.
MAIN_PUBLIC_PAGES = [
    "/",
    "/en/",
    "/column/",
    "/disclosure/",
    "/disclosure/indicators/",
    "/disclosure/projects/",
    "/disclosure/requests/new/",
    "/surveys/",
    "/tipoffs/new",
    "/tipoffs/cases",
    "/tipoffs/stats",
    "/learning/",
    "/learning/try/",
    "/search/?q=%E7%8E%AF%E5%A2%83",
    "/accounts/login/",
    "/accounts/signup/",
]

# Registered before any page script runs (init scripts are not subject to the page's policy).
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
    `at ${e.sourceFile || ""}:${e.lineNumber || ""}`);
});
"""


def test_main_public_pages_report_no_content_security_policy_violation(new_page):
    page = new_page()
    page.add_init_script(_RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if re.search(r"Content.Security.Policy|Permissions.Policy", message.text, re.I)
            else None
        ),
    )
    for path in MAIN_PUBLIC_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert "geolocation=(self)" in response.headers["permissions-policy"], path
        page.wait_for_load_state("load")
        violations = page.evaluate("() => window.__cspViolations")
        assert not violations, f"{path}: {violations}"
    assert not console, console
