"""Contract: the column feeds as feedparser (a published feed reader library) reads them.

Both formats, both interface languages: the items, their links, dates, categories, an author on
every Atom entry, and the language declared for what the items are written in (Chinese, also in
the English interface's feeds: the articles have no English version).
"""

from __future__ import annotations

from datetime import date

import feedparser
import pytest

from tests.cms.conftest import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(column):
    return [
        make_article(column, title="2021年成果", category_slug="achievements", on=date(2021, 5, 1)),
        make_article(
            column, title="2025年计划", category_slug="plans", on=date(2025, 3, 1), author="王编辑"
        ),
    ]


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_atom_feed_has_authors_and_declares_chinese_items(client, articles, prefix):
    feed = parse(client, f"{prefix}/feeds/column/atom.xml")
    assert feed.version == "atom10"
    assert feed.feed.author == "攀枝花市东区生态文明建设公众参与平台"  # the site
    assert feed.feed.language == "zh-Hans"
    titles = [e.title for e in feed.entries]
    assert titles == ["2025年计划", "2021年成果"]
    for entry in feed.entries:
        assert entry.author  # required by Atom: the article's author, else the site
        assert entry.title_detail.language == "zh-Hans"
        assert entry.link.startswith(f"http://testserver{prefix}/column/")
        assert entry.published_parsed and entry.updated_parsed
    assert feed.entries[0].author == "王编辑"
    assert feed.entries[1].author == "攀枝花市东区生态文明建设公众参与平台"
    assert [t.term for t in feed.entries[0].tags] == [articles[1].category.name]


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_rss_feed_declares_chinese_items_and_links_to_the_interface(client, articles, prefix):
    feed = parse(client, f"{prefix}/feeds/column/rss.xml")
    assert feed.version == "rss20"
    assert feed.feed.language == "zh-cn"
    assert [e.title for e in feed.entries] == ["2025年计划", "2021年成果"]
    for entry in feed.entries:
        assert entry.link.startswith(f"http://testserver{prefix}/column/")
        assert entry.id == entry.link
        assert entry.published_parsed
        assert entry.author


@pytest.mark.parametrize("fmt", ["rss", "atom"])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_category_feeds_parse_in_both_languages(client, articles, prefix, fmt):
    feed = parse(client, f"{prefix}/feeds/column/achievements/{fmt}.xml")
    assert [e.title for e in feed.entries] == ["2021年成果"]
    assert "主要成果" in feed.feed.title
