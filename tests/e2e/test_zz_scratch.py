import re
from playwright.sync_api import expect
from tests.e2e.axe import assert_accessible, run_axe

PATCH = """() => { for (const s of document.styleSheets) for (const r of s.cssRules)
  if (r.selectorText === 'html.elderly a') { r.selectorText = ':where(html.elderly) a'; return true } return false }"""

def test_scratch(page):
    page.goto("/")
    page.get_by_test_id("elderly-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile("elderly"))
    for url in ["/", "/accounts/login/", "/does-not-exist/", "/en/"]:
        page.goto(url)
        before = [(v["id"], len(v["nodes"])) for v in run_axe(page) if v["impact"] in ("serious","critical")]
        print(url, "before", before)
        assert page.evaluate(PATCH)
        page.keyboard.press("Tab")
        print(page.evaluate("() => [document.activeElement.className, getComputedStyle(document.activeElement).color]"))
        after = [(v["id"], len(v["nodes"]), [n["target"] for n in v["nodes"]]) for v in run_axe(page)]
        print(url, "after (all impacts)", after)
