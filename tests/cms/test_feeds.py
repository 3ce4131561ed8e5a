"""Feeds, sitemap, robots.txt, canonical links and Open Graph tags."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse

from tests.cms.conftest import make_article

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own test server's response


@pytest.fixture
def articles(column):
    return [
        make_article(column, title="2021年成果", category_slug="achievements", on=date(2021, 5, 1)),
        make_article(column, title="2024年计划", category_slug="plans", on=date(2024, 3, 1)),
        make_article(column, title="2025年成果", category_slug="achievements", on=date(2025, 2, 1)),
    ]


def test_rss_feed_is_valid_xml_and_lists_the_newest_first(articles, client):
    response = client.get(reverse("cms:column_rss"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = parse_xml(response.content)
    channel = root.find("channel")
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == ["2025年成果", "2024年计划", "2021年成果"]
    first = channel.find("item")
    assert first.findtext("link").startswith("http://testserver/column/")
    assert first.findtext("category") == "主要成果"
    assert first.findtext("pubDate").endswith("+0800")


def test_atom_feed_is_valid_xml_and_lists_the_newest_first(articles, client):
    response = client.get(reverse("cms:column_atom"))
    root = parse_xml(response.content)
    assert root.tag == f"{ATOM}feed"
    titles = [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["2025年成果", "2024年计划", "2021年成果"]


def test_category_feeds_list_only_that_category(articles, client):
    rss = parse_xml(client.get("/feeds/column/achievements/rss.xml").content)
    assert [i.findtext("title") for i in rss.iter("item")] == ["2025年成果", "2021年成果"]
    atom = parse_xml(client.get("/feeds/column/plans/atom.xml").content)
    assert [e.findtext(f"{ATOM}title") for e in atom.iter(f"{ATOM}entry")] == ["2024年计划"]
    assert client.get("/feeds/column/nope/rss.xml").status_code == 404


def test_drafts_are_not_in_feeds(column, client):
    make_article(column, title="未发布", live=False)
    assert "未发布" not in client.get(reverse("cms:column_rss")).content.decode()


def test_feeds_follow_publication(articles, column, client):
    client.get(reverse("cms:column_rss"))  # cached
    make_article(column, title="刚刚发布", on=date(2026, 1, 1))
    rss = parse_xml(client.get(reverse("cms:column_rss")).content)
    assert rss.find("channel").find("item").findtext("title") == "刚刚发布"


def test_sitemap_lists_live_public_pages(articles, column, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = parse_xml(response.content)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [loc.text for loc in root.iter(f"{ns}loc")]
    assert "http://localhost/column/" in locations
    assert any(loc.endswith(f"/column/{articles[0].slug}/") for loc in locations)


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_areas(client):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in body
    for private in ("/accounts/", "/me/", "/search/"):
        assert f"Disallow: {private}" in body
        assert f"Disallow: /en{private}" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_pages_carry_canonical_open_graph_and_feed_links(articles, client):
    article = articles[0]
    body = client.get(article.url, {"page": 1}).content.decode()
    canonical = f"http://testserver{article.url}"
    assert f'<link rel="canonical" href="{canonical}">' in body
    assert '<meta property="og:type" content="article">' in body
    assert f'<meta property="og:title" content="{article.title}">' in body
    assert f'<meta property="og:url" content="{canonical}">' in body
    assert '<meta property="og:description"' in body
    assert 'type="application/rss+xml"' in body and 'href="/feeds/column/rss.xml"' in body
    assert 'type="application/atom+xml"' in body
