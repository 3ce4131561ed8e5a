"""Every public page with a data table stays readable on a 375 px phone.

Each table sits in the shared ``{% datatable %}`` wrapper (portal/templatetags/portal_tags.py,
"Data tables" in static/css/site.css): the page itself never scrolls sideways, the table scrolls
inside its own box, and no number is broken over lines or cut by a column narrower than it.
The pages are enumerated from the seeded demo data, so a new table page is one line here.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.accounts import sign_in
from tests.e2e.axe import assert_accessible

# For each number token (digits with . , % ‰ - / : inside) in a table cell: does it occupy more
# than one line box, or is it wider than the cell's content box?
# Transactional with the post-migration snapshot restored (the plan's data comes from migrations).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def table_site(site_url):
    """The demo content of every app that shows tables (the shell's seed has only the shell)."""
    from cms import demo as cms_demo
    from disclosure import demo as disclosure_demo
    from portal.learning import demo as learning_demo
    from portal.tipoffs import demo as tipoffs_demo
    from surveys import demo as surveys_demo

    cms_demo.seed()
    disclosure_demo.seed(item_limit=14)
    surveys_demo.seed()
    tipoffs_demo.seed()
    learning_demo.seed()
    return site_url


_SQUEEZED_NUMBERS = r"""
() => {
  const bad = [];
  const NUMBER = /[-+≥≤<>]?\d[\d.,:%‰\/-]*/g;
  for (const cell of document.querySelectorAll("main table th, main table td")) {
    if (cell.closest("[hidden]") || cell.getClientRects().length === 0) continue;
    const style = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest(".visually-hidden")) continue;
      for (const m of node.data.matchAll(NUMBER)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        // Rects of one line differ slightly when glyphs come from fallback fonts: a new line
        // starts only below half a line height.
        const tops = new Set();
        let last = null;
        for (const r of rects.sort((a, b) => a.top - b.top)) {
          if (last === null || r.top > last + r.height / 2) { tops.add(r.top); last = r.top; }
        }
        const width = range.getBoundingClientRect().width;
        if (tops.size > 1 || width > inner + 1) {
          bad.push(`${m[0]} in <${cell.tagName.toLowerCase()}> ` +
                   `"${cell.innerText.slice(0, 40)}" (lines ${tops.size}, ${Math.round(width)} > ${Math.round(inner)} px)`);
        }
      }
    }
  }
  return bad.slice(0, 8);
}
"""

_WIDER_THAN_VIEWPORT = """
() => document.documentElement.scrollWidth > document.documentElement.clientWidth
  ? [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                      && !el.closest(".table-scroll"))
      .slice(0, 5).map((el) => el.outerHTML.slice(0, 120))
  : null
"""


def public_table_pages() -> list[str]:
    """Every public page of the seeded demo site that shows a data table."""
    from cms.models import ColumnArticlePage
    from disclosure.models import DisclosureIndexPage, DisclosureItemPage
    from surveys.models import SurveyRelease

    paths = [
        "/disclosure/indicators/",  # 35 indicators
        "/disclosure/indicators/34/",  # readings of one indicator
        "/disclosure/projects/",  # 48 projects and the investment totals
        "/disclosure/rate/",  # disclosure rate
        "/disclosure/annual-report/",  # the annual report's statutory tables
        "/tipoffs/stats",  # tip-off statistics
        "/learning/leaderboard/",
        "/en/disclosure/indicators/",
        "/en/disclosure/projects/",
    ]
    catalogue = DisclosureIndexPage.objects.live().first()
    if catalogue:
        paths.append(catalogue.url)
    item = DisclosureItemPage.objects.live().order_by("pk").first()
    if item:
        paths += [item.url, f"/disclosure/versions/{item.pk}/"]  # metadata, version history
    release = SurveyRelease.objects.select_related("survey").order_by("-pk").first()
    if release:
        paths.append(f"/surveys/s/{release.survey.slug}/results/")
    for article in ColumnArticlePage.objects.live().specific():
        if any(block.block_type == "table" for block in article.body):
            paths.append(article.url)
            break
    return paths


def assert_tables_readable(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert page.evaluate("() => document.documentElement.clientWidth") == 375
    wide = page.evaluate(_WIDER_THAN_VIEWPORT)
    assert wide is None, f"{path} is wider than the phone: {wide}"
    squeezed = page.evaluate(_SQUEEZED_NUMBERS)
    assert not squeezed, f"{path}: numbers broken or cut: {squeezed}"


def test_every_public_table_page_is_readable_on_a_375px_phone(table_site, phone_page):
    paths = public_table_pages()
    assert len(paths) >= 10, paths
    for path in paths:
        assert_tables_readable(phone_page, path)
        # Every table is in the shared wrapper: a labelled, focusable scrolling region.
        tables = phone_page.locator("main table")
        wrapped = phone_page.locator("main .table-scroll[role=region][aria-label] > table")
        assert tables.count() == wrapped.count(), path
    assert_accessible(phone_page)


def test_my_points_tables_are_readable_on_a_375px_phone(table_site, phone_page):
    sign_in(phone_page, "resident@demo.local")
    assert_tables_readable(phone_page, "/learning/me/")
    expect(phone_page.get_by_test_id("ledger")).to_be_visible()


@pytest.mark.parametrize("path", ["/disclosure/projects/"])
def test_a_wide_table_scrolls_inside_its_box_with_the_first_column_in_view(
    table_site, phone_page, path
):
    phone_page.goto(path)
    box = phone_page.locator("main .table-scroll").last
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    first = box.locator("tbody tr").first.locator(":scope > *").first
    before = first.bounding_box()["x"]
    box.evaluate("(el) => { el.scrollLeft = el.scrollWidth; }")
    assert abs(first.bounding_box()["x"] - before) < 2  # sticky first column
