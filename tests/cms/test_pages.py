"""Page types: placement rules, the home page, the column list with filters, the article page."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from cms.models import ColumnArticlePage, ColumnCategory, ColumnIndexPage, HomePage, StandardPage
from portal.pagecache import invalidate_public_pages
from tests.cms.conftest import make_article

pytestmark = pytest.mark.django_db


def test_articles_may_only_live_in_a_column(home, column):
    assert ColumnArticlePage.can_create_at(column)
    assert not ColumnArticlePage.can_create_at(home)
    standard = StandardPage.objects.child_of(home).first()
    assert not ColumnArticlePage.can_create_at(standard)


def test_a_column_lives_only_under_the_home_page_and_holds_only_articles(home, column):
    assert ColumnIndexPage.allowed_parent_page_models() == [HomePage]
    assert ColumnIndexPage.allowed_subpage_models() == [ColumnArticlePage]
    # One column per home page.
    assert not ColumnIndexPage.can_create_at(home)
    assert not StandardPage.can_create_at(column)


def test_the_home_page_sits_at_the_root_only(home, column):
    root = Page.get_first_root_node()
    assert not HomePage.can_create_at(root)  # one home page per parent
    assert not HomePage.can_create_at(column)
    assert HomePage.allowed_parent_page_models() == [Page]


def test_plain_pages_nest_under_home_or_other_plain_pages(home, column):
    about = StandardPage.objects.child_of(home).first()
    assert StandardPage.can_create_at(home)
    assert StandardPage.can_create_at(about)
    assert not ColumnIndexPage.can_create_at(about)


def test_home_page_shows_lead_story_latest_articles_and_entry_cards(home, column, client):
    old = make_article(column, title="较早的文章", on=date(2021, 1, 1))
    lead = make_article(column, title="头条文章", on=date(2022, 1, 1), featured=True)
    newest = make_article(column, title="最新的文章", on=date(2025, 1, 1))
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["lead_article"] == lead
    assert response.context["latest_articles"] == [newest, old]
    slugs = [card["slug"] for card in response.context["entries"]]
    assert slugs == ["disclosure", "surveys", "report"]
    body = response.content.decode()
    assert "头条文章" in body and "最新的文章" in body


def test_an_editor_chosen_lead_story_wins_over_featured_ones(home, column, client):
    chosen = make_article(column, title="编辑选定的头条", on=date(2021, 1, 1))
    make_article(column, title="推荐文章", on=date(2025, 1, 1), featured=True)
    home.lead_article = chosen
    home.save_revision().publish()
    assert client.get("/").context["lead_article"] == chosen


def test_column_lists_newest_first_with_category_and_year_filters(column, client):
    a = make_article(column, title="2021年成果", category_slug="achievements", on=date(2021, 5, 1))
    b = make_article(column, title="2023年成果", category_slug="achievements", on=date(2023, 5, 1))
    c = make_article(column, title="2023年计划", category_slug="plans", on=date(2023, 8, 1))
    url = column.url
    assert list(client.get(url).context["articles"]) == [c, b, a]
    assert list(client.get(url, {"category": "achievements"}).context["articles"]) == [b, a]
    assert list(client.get(url, {"year": "2023"}).context["articles"]) == [c, b]
    both = client.get(url, {"category": "achievements", "year": "2023"})
    assert list(both.context["articles"]) == [b]
    assert both.context["years"] == [2023, 2021]


def test_unknown_filters_show_nothing_rather_than_everything(column, client):
    make_article(column)
    assert list(client.get(column.url, {"category": "nope"}).context["articles"]) == []
    assert list(client.get(column.url, {"year": "20x1"}).context["articles"]) == []


def test_column_paginates(column, client):
    from cms.models import COLUMN_PAGE_SIZE

    for i in range(COLUMN_PAGE_SIZE + 2):
        make_article(column, title=f"文章{i}", on=date(2024, 1, 1 + i))
    first = client.get(column.url)
    second = client.get(column.url, {"page": 2})
    assert len(first.context["articles"]) == COLUMN_PAGE_SIZE
    assert len(second.context["articles"]) == 2
    assert client.get(column.url, {"page": "x"}).status_code == 200


def test_drafts_are_not_listed(column, client):
    make_article(column, title="草稿文章", live=False)
    assert "草稿文章" not in client.get(column.url).content.decode()


def test_article_page_renders_every_block(column, client):
    article = make_article(column, title="区块示例", source="东区生态环境局", author="张三")
    article.body = [
        {"type": "heading", "value": "小标题"},
        {"type": "paragraph", "value": "<p>正文段落</p>"},
        {"type": "quote", "value": {"text": "引语", "attribution": "规划"}},
        {"type": "callout", "value": {"kind": "info", "title": "提示", "text": "<p>提示内容</p>"}},
        {
            "type": "key_figures",
            "value": [{"value": "96.3", "unit": "%", "label": "优良率", "note": "2020年"}],
        },
        {
            "type": "table",
            "value": {
                "caption": "指标表",
                "table": {
                    "data": [["指标", "值"], ["优良率", "96.3%"]],
                    "first_row_is_table_header": True,
                },
                "source": "规划",
            },
        },
    ]
    article.save_revision().publish()
    body = client.get(article.url).content.decode()
    for text in (
        "小标题",
        "正文段落",
        "引语",
        "提示内容",
        "96.3",
        "优良率",
        "<caption>指标表</caption>",
        '<th scope="col">指标</th>',
        "东区生态环境局",
        "张三",
    ):
        assert text in body, text
    assert '<h2 class="block-heading">小标题</h2>' in body


def test_image_blocks_require_alternative_text():
    from django.core.exceptions import ValidationError

    from cms.blocks import ImageWithCaptionBlock

    block = ImageWithCaptionBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"image": None, "alt_text": "", "caption": ""}))


def _queries_for(client, url, **params) -> int:
    invalidate_public_pages()
    client.get(url, params)  # warm per-process caches (content types, site root paths)
    invalidate_public_pages()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_column_list_runs_the_same_queries_for_10_or_many_articles(
    column, client, django_assert_num_queries
):
    for i in range(10):
        make_article(column, title=f"文章{i}", on=date(2024, 1, 1 + i % 28))
    few = _queries_for(client, column.url)
    filtered_few = _queries_for(client, column.url, category="quality", year="2024")
    for i in range(40):
        make_article(column, title=f"更多文章{i}", on=date(2023, 1, 1 + i % 28))
    invalidate_public_pages()
    with django_assert_num_queries(few):
        client.get(column.url)
    assert _queries_for(client, column.url, category="quality", year="2024") == filtered_few


def test_article_page_runs_the_same_queries_for_10_or_many_articles(
    column, client, django_assert_num_queries
):
    articles = [make_article(column, title=f"文章{i}") for i in range(10)]
    target = articles[0]
    few = _queries_for(client, target.url)
    for i in range(40):
        make_article(column, title=f"更多文章{i}")
    invalidate_public_pages()
    with django_assert_num_queries(few):
        client.get(target.url)


def test_home_page_runs_the_same_queries_for_10_or_many_articles(
    home, column, client, django_assert_num_queries
):
    for i in range(10):
        make_article(column, title=f"文章{i}")
    few = _queries_for(client, "/")
    for i in range(30):
        make_article(column, title=f"更多文章{i}")
    invalidate_public_pages()
    with django_assert_num_queries(few):
        client.get("/")


def test_the_migration_seeds_the_plans_seven_kinds_and_policy_interpretation():
    names = set(ColumnCategory.objects.values_list("name", flat=True))
    assert {
        "主要成果",
        "重要计划",
        "环境问题整改情况",
        "环保设施建设推进情况",
        "生态环境质量现状",
        "生态保护专项行动",
        "生态环境治理典型案例",
        "政策解读",
    } <= names


def test_the_demo_column_has_20_articles_over_every_category_and_2021_to_2025():
    from cms.demo_articles import ARTICLES, STANDARD_PAGES

    assert len(ARTICLES) >= 20
    assert len({a["slug"] for a in ARTICLES}) == len(ARTICLES)
    assert {a["category"] for a in ARTICLES} == set(
        ColumnCategory.objects.values_list("slug", flat=True)
    )
    assert {a["date"][:4] for a in ARTICLES} == {"2021", "2022", "2023", "2024", "2025"}
    assert {slug for slug, *_rest in STANDARD_PAGES} >= {
        "about",
        "contact",
        "how-to-report-pollution",
    }


# Full renders (cache bypassed) of the public pages on the site tree of `ensure_site_tree`,
# with ten articles: the numbers are pinned so that a change that adds queries is a decision.
# Most of them are Wagtail's routing (one query per path segment, aliases, view restrictions);
# an anonymous cache hit skips all of them (tests/cms/test_cache.py: no SQL at all).
PINNED_FULL_RENDER_QUERIES = {"home": 11, "column": 14, "article": 16}


def test_full_renders_run_a_pinned_number_of_queries(home, column, client):
    articles = [make_article(column, title=f"文章{i}") for i in range(10)]
    urls = {"home": "/", "column": column.url, "article": articles[3].url}
    counts = {name: _queries_for(client, url) for name, url in urls.items()}
    assert counts == PINNED_FULL_RENDER_QUERIES
