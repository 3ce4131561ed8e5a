"""Every route's cache policy (issue 20, part 3), walked from the URL conf and the page tree.

A route is *shareable* when its view opts into the anonymous page cache (``@anonymous_page``, or
a Wagtail page type with ``AnonymousCachedPageMixin``). Shareable responses to anonymous visitors
are ``Cache-Control: public`` and set no cookie (no per-visitor token), so nginx and browsers may
keep them; every other response is ``private`` (``no-store`` when personal), and nothing a
signed-in visitor sees is ever ``public``. ``SHAREABLE`` below is the reviewed list: a view that
opts in or out without updating it fails ``test_the_shareable_routes_are_the_reviewed_ones``.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver
from wagtail.models import Page

from portal.pagecache import AnonymousCachedPageMixin
from tests.portal.test_mfa import walk_urlconf
from tests.portal.test_persona_matrix import ROUTES, route_key, world  # noqa: F401

pytestmark = pytest.mark.django_db

SHAREABLE = {
    "cms:column_rss",
    "cms:column_atom",
    "cms:category_rss",
    "cms:category_atom",
    "cms:sitemap",
    "cms:robots",
    "disclosure:indicators",
    "disclosure:indicator_detail",
    "disclosure:projects",
    "disclosure:project_detail",
    "disclosure:rate",
    "disclosure:item_versions",
    "disclosure:item_diff",
    "disclosure:annual_report",
    "surveys:results",
    "surveys:results_methodology",
    "tipoffs:cases",
    "tipoffs:stats",
}


def shareable_routes() -> set[str]:
    """The routes whose view carries ``page_cache_params`` (set by ``@anonymous_page``)."""
    found = set()

    def walk(patterns, namespace=None):
        from django.urls import URLPattern, URLResolver

        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, ns)
            elif (
                isinstance(entry, URLPattern)
                and entry.name
                and hasattr(entry.callback, "page_cache_params")
            ):
                found.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns)
    return found


def test_the_shareable_routes_are_the_reviewed_ones():
    assert shareable_routes() == SHAREABLE


def _public_routes():
    present = {route_key(p, n) for p, n in walk_urlconf()}
    for key, route in ROUTES.items():
        if key in present and "anonymous" in route.allowed and route.method == "get":
            yield key


def _assert_shareable(response, where):
    assert response.status_code == 200, where
    assert "public" in response["Cache-Control"], f"{where}: {response['Cache-Control']}"
    assert "stale-while-revalidate" in response["Cache-Control"], where
    assert not response.cookies, f"{where} sets {list(response.cookies)}"


def _assert_not_public(response, where):
    cache_control = response.get("Cache-Control", "")
    assert "public" not in cache_control, f"{where}: {cache_control}"
    assert "private" in cache_control or "no-store" in cache_control, f"{where}: {cache_control}"


@pytest.mark.parametrize("key", sorted(_public_routes()))
def test_each_public_route_has_its_policy_for_anonymous_visitors(world, key, settings):  # noqa: F811
    settings.WAGTAILDOCS_SERVE_METHOD = "redirect"
    url = ROUTES[key].url(world)
    response = Client().get(url)
    if key in SHAREABLE:
        _assert_shareable(response, f"{key} {url}")
        again = Client().get(url)
        assert again["X-Page-Cache"] == "hit", key
        _assert_shareable(again, f"{key} {url} (hit)")
    elif key != "wagtail_serve":
        _assert_not_public(response, f"{key} {url}")


@pytest.mark.parametrize("key", sorted(SHAREABLE))
def test_signed_in_visitors_never_get_a_public_response(world, key):  # noqa: F811
    client = Client()
    client.force_login(world.users["resident"])
    url = ROUTES[key].url(world)
    client.get(url)
    response = client.get(url)
    assert "X-Page-Cache" not in response
    _assert_not_public(response, f"{key} {url}")
    assert "no-store" in response["Cache-Control"]


def test_every_live_page_has_its_policy(world):  # noqa: F811
    resident = Client()
    resident.force_login(world.users["resident"])
    pages = Page.objects.live().public().specific().filter(depth__gt=1)
    checked = 0
    for page in pages:
        url = page.get_url()
        if not url:
            continue
        response = Client().get(url)
        if response.status_code != 200:
            continue
        where = f"{type(page).__name__} {url}"
        if isinstance(page, AnonymousCachedPageMixin):
            _assert_shareable(response, where)
            checked += 1
        else:
            _assert_not_public(response, where)
        _assert_not_public(resident.get(url), f"{where} (signed in)")
    assert checked >= 5
