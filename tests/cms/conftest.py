"""Fixtures for the cms tests: a site tree with the column, and a small article factory."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from cms.models import ColumnArticlePage, ColumnCategory, ColumnIndexPage, HomePage

_slugs = itertools.count(1)


@pytest.fixture
def home(db) -> HomePage:
    from portal.demo import ensure_site_tree

    ensure_site_tree()
    return HomePage.objects.get()


@pytest.fixture
def column(home) -> ColumnIndexPage:
    from cms.demo import ensure_column

    return ensure_column(home)


def category(slug: str) -> ColumnCategory:
    return ColumnCategory.objects.get(slug=slug)


def make_article(
    column: ColumnIndexPage,
    *,
    title: str = "东区生态环境质量持续改善",
    category_slug: str = "quality",
    on: date | None = None,
    text: str = "东区持续改善生态环境质量。",
    summary: str = "",
    live: bool = True,
    user=None,
    **fields,
) -> ColumnArticlePage:
    article = ColumnArticlePage(
        title=title,
        slug=f"article-{next(_slugs)}",
        summary=summary or f"{title}的摘要。",
        date=on or date(2024, 5, 1),
        category=category(category_slug),
        body=[{"type": "paragraph", "value": f"<p>{text}</p>"}],
        live=live,
        **fields,
    )
    column.add_child(instance=article)
    revision = article.save_revision(user=user)
    if live:
        revision.publish()
    article.refresh_from_db()
    return article
