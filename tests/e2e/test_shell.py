"""The site shell in a real browser: languages, the 无障碍 toolbar, small screens, errors."""

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


def tab_to(page, testid: str, limit: int = 40):
    """Press Tab until the element with ``testid`` has the focus (fails after ``limit``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(id) => document.activeElement && document.activeElement.dataset.testid === id", testid
        ):
            return
    raise AssertionError(f"{testid} not reached with the keyboard")


def test_the_accessibility_toolbar_works_by_keyboard_and_is_remembered(page):
    page.goto("/")
    html = page.locator("html")
    standard_size = root_font_size(page)

    tab_to(page, "a11y-open")
    page.keyboard.press("Enter")
    toolbar = page.get_by_test_id("a11y-toolbar")
    expect(toolbar).to_be_visible()
    assert_accessible(page)
    tab_to(page, "a11y-larger")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("a11y-size")).to_have_text("125%")
    tab_to(page, "a11y-contrast")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("a11y-contrast")).to_have_attribute("aria-pressed", "true")
    expect(html).to_have_class(re.compile(r"\ba11y-contrast\b"))
    assert root_font_size(page) == 20 > standard_size
    page.keyboard.press("Escape")
    expect(toolbar).to_be_hidden()
    expect(page.get_by_test_id("a11y-open")).to_be_focused()

    page.reload()
    expect(html).to_have_class(re.compile(r"\ba11y-contrast\b"))
    assert root_font_size(page) == 20
    page.goto("/accounts/login/")
    expect(html).to_have_class(re.compile(r"\ba11y-size-2\b"))
    page.get_by_test_id("a11y-open").click()
    expect(page.get_by_test_id("a11y-contrast")).to_have_attribute("aria-pressed", "true")
    # Remembered by the browser alone: no display-mode cookie for the server to vary on.
    assert all(c["name"] != "portal_elderly" for c in page.context.cookies())
    assert_accessible(page)

    page.get_by_test_id("a11y-reset").click()
    expect(html).not_to_have_class(re.compile(r"a11y-"))
    assert root_font_size(page) == standard_size


def test_elderly_mode_large_cursor_and_spacing_are_toolbar_toggles(page):
    page.goto("/")
    page.get_by_test_id("a11y-open").click()
    page.get_by_test_id("elderly-toggle").click()
    page.get_by_test_id("a11y-cursor").click()
    page.get_by_test_id("a11y-spacing").click()
    html = page.locator("html")
    expect(html).to_have_class(re.compile(r"\belderly\b"))
    expect(html).to_have_class(re.compile(r"\ba11y-cursor\b"))
    expect(html).to_have_class(re.compile(r"\ba11y-spacing\b"))
    assert root_font_size(page) >= 20
    cursor = page.evaluate("() => getComputedStyle(document.body).cursor")
    assert "cursor-large" in cursor
    assert_accessible(page)


def test_read_aloud_speaks_the_main_content_in_chinese_and_stops(page):
    page.add_init_script(
        """(() => {
          window.__spoken = [];
          const fake = {
            speaking: false,
            getVoices: () => [{ lang: "zh-CN", name: "fake zh" }],
            speak: (u) => { window.__spoken.push({ text: u.text, lang: u.lang }); },
            cancel: () => { window.__cancelled = true; },
          };
          Object.defineProperty(window, "speechSynthesis", { value: fake, configurable: true });
          window.SpeechSynthesisUtterance = function (text) { this.text = text; };
        })()"""
    )
    page.goto("/")
    page.get_by_test_id("a11y-open").click()
    page.get_by_test_id("a11y-read").click()
    spoken = page.evaluate("() => window.__spoken")
    assert spoken and all(u["lang"] == "zh-CN" for u in spoken)
    assert CJK.search("".join(u["text"] for u in spoken))
    expect(page.get_by_test_id("a11y-stop")).to_be_enabled()
    page.get_by_test_id("a11y-stop").click()
    assert page.evaluate("() => window.__cancelled") is True


@pytest.mark.parametrize("large", [False, True], ids=["standard", "largest-text"])
def test_the_home_page_does_not_scroll_sideways_on_a_375px_phone(phone_page, large):
    if large:
        phone_page.add_init_script(
            "localStorage.setItem('portal.a11y', JSON.stringify({size: 5, elderly: true}))"
        )
    phone_page.goto("/")

    assert phone_page.evaluate("() => document.documentElement.clientWidth") == 375
    assert not has_horizontal_scroll(phone_page), phone_page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth)
            .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))"""
    )


def test_on_a_phone_the_header_takes_at_most_a_quarter_of_the_screen(phone_page):
    phone_page.goto("/")
    header = phone_page.locator("header.site-header").bounding_box()
    assert header["height"] <= 740 / 4, header
    expect(phone_page.locator("nav.main-nav")).to_be_hidden()
    phone_page.get_by_test_id("menu-toggle").click()
    nav = phone_page.locator("nav.main-nav")
    expect(nav).to_be_visible()
    expect(phone_page.get_by_test_id("menu-toggle")).to_have_attribute("aria-expanded", "true")
    phone_page.get_by_test_id("search-toggle").click()
    expect(phone_page.get_by_test_id("site-search-input")).to_be_focused()
    assert_accessible(phone_page)


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
