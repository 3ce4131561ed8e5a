"""The anonymous page cache: consulted before routing, shareable responses, invalidation."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from portal.pagecache import invalidate_public_pages
from tests.cms.conftest import make_article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_public_and_served_from_the_cache(column, client):
    make_article(column, title="缓存测试")
    first = client.get(column.url)
    second = client.get(column.url)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    for response in (first, second):
        cache_control = response["Cache-Control"]
        assert "public" in cache_control and "max-age=60" in cache_control
        assert "stale-while-revalidate=30" in cache_control
        assert "Cookie" in response["Vary"]
        assert response["X-Accel-Expires"] == "2"
        assert not response.cookies, "a shareable page sets no cookie"
        assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.parametrize("path", ["/", "column", "article", "/en/"])
def test_a_cache_hit_runs_no_sql(path, column):
    """With the tests' in-memory cache; through Redis: test_hit_through_redis_runs_no_sql."""
    article = make_article(column, title="零查询")
    url = {"column": column.url, "article": article.url}.get(path, path)
    client = Client()
    assert client.get(url)["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_share_parameters_are_ignored_and_unknown_ones_bypass(column, client):
    client.get(column.url)
    shared = client.get(column.url, {"from": "singlemessage", "isappinstalled": "0"})
    assert shared["X-Page-Cache"] == "hit"
    assert client.get(column.url, {"utm_source": "wechat", "spm": "a.b"})["X-Page-Cache"] == "hit"
    html = shared.content.decode()
    assert "singlemessage" not in html, "share parameters leak into canonical or language links"
    unknown = client.get(column.url, {"made_up": "1"})
    assert "X-Page-Cache" not in unknown
    assert "X-Page-Cache" not in client.get(column.url, {"made_up": "1"}), "never stored"
    assert "public" not in unknown["Cache-Control"]


def test_content_parameters_are_cached_separately(column, client):
    client.get(column.url)
    assert client.get(column.url, {"page": "2"})["X-Page-Cache"] == "miss"
    assert client.get(column.url, {"page": "2"})["X-Page-Cache"] == "hit"


def test_publishing_an_article_invalidates_the_cached_list_and_home(column, client):
    client.get(column.url)
    client.get("/")
    make_article(column, title="新发布的文章")
    response = client.get(column.url)
    assert response["X-Page-Cache"] == "miss"
    assert "新发布的文章" in response.content.decode()
    assert "新发布的文章" in client.get("/").content.decode()


def test_unpublishing_removes_the_article_from_cached_pages(column, client):
    article = make_article(column, title="将被撤回的文章")
    assert "将被撤回的文章" in client.get(column.url).content.decode()
    article.unpublish()
    assert "将被撤回的文章" not in client.get(column.url).content.decode()


def test_a_view_restriction_takes_the_page_out_of_the_cache(column, client):
    article = make_article(column, title="稍后受限的文章")
    client.get(article.url)
    assert client.get(article.url)["X-Page-Cache"] == "hit"
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(article.url)
    assert response.status_code == 302 and "X-Page-Cache" not in response
    assert client.get(article.url).status_code == 302


def test_each_host_has_its_own_copies(column, client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    client.get(column.url)
    assert client.get(column.url, HTTP_HOST="other.example").get("X-Page-Cache") != "hit"


def test_signed_in_users_are_never_served_cached_pages(column, client):
    client.get(column.url)
    client.force_login(UserFactory(username="reader"))
    response = client.get(column.url)
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    # …and what they see is never stored for anonymous visitors.
    anonymous = Client().get(column.url)
    assert "reader" not in anonymous.content.decode()


def test_a_pending_message_bypasses_the_cache(column, client):
    client.get(column.url)
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get(column.url)


def test_language_links_are_plain_links_and_cached_per_language(column, client):
    url = column.url
    chinese = client.get(url)
    english = client.get(f"/en{url}")
    assert english["X-Page-Cache"] == "miss"
    assert english["Content-Language"] == "en"
    assert f'href="/en{url}"' in chinese.content.decode()
    assert f'href="{url}"' in english.content.decode()
    assert client.get(f"/en{url}")["Content-Language"] == "en"


def test_hit_through_redis_runs_no_sql(column, settings):
    """The production cache: Redis (skipped when no Redis answers on 127.0.0.1:6379)."""
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"test-pagecache-{id(settings)}",
        }
    }
    invalidate_public_pages()
    client = Client()
    client.get(column.url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(column.url)
    assert response["X-Page-Cache"] == "hit" and len(queries) == 0


def test_display_settings_do_not_split_the_cache(column, client):
    """The 无障碍 settings live in the browser (localStorage), not in a cookie the page varies on."""
    client.get(column.url)
    client.cookies["portal_elderly"] = "1"
    assert client.get(column.url)["X-Page-Cache"] == "hit"
