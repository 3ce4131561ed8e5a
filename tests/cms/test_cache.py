"""Anonymous page caching: hits, invalidation on publish, CSRF tokens, cache headers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from cms.cache import CSRF_PLACEHOLDER
from tests.cms.conftest import make_article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_served_from_the_cache_with_cache_headers(column, client):
    make_article(column, title="缓存测试")
    first = client.get(column.url)
    second = client.get(column.url)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert "max-age=60" in second["Cache-Control"] and "private" in second["Cache-Control"]
    assert "Cookie" in second["Vary"]


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


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page(column):
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    a = alice.get(column.url)
    b = bob.get(column.url)
    assert b["X-Page-Cache"] == "hit"
    for response, visitor in ((a, alice), (b, bob)):
        html = response.content.decode()
        assert CSRF_PLACEHOLDER not in html
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        # The token works for this visitor's language switch.
        switched = visitor.post(
            "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
        )
        assert switched.status_code == 302


def test_signed_in_users_are_never_served_cached_pages(column, client):
    client.get(column.url)
    client.force_login(UserFactory(username="reader"))
    response = client.get(column.url)
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"]


def test_unknown_query_parameters_bypass_the_cache(column, client):
    client.get(column.url, {"utm_source": "x"})
    assert "X-Page-Cache" not in client.get(column.url, {"utm_source": "x"})


def test_languages_are_cached_separately_and_display_settings_do_not_split_the_cache(
    column, client
):
    client.get(column.url)
    # The 无障碍 settings live in the browser (localStorage), not in a cookie the page varies on.
    client.cookies["portal_elderly"] = "1"
    assert client.get(column.url)["X-Page-Cache"] == "hit"
    english = client.get(f"/en{column.url}")
    assert english["X-Page-Cache"] == "miss"
