"""No page makes the browser fetch from another host (gravatar.com, CDNs, fonts): blocked or slow
in mainland China, and each fetch tells a third party who is reading. Links in content may point
anywhere; resources (scripts, styles, images, frames, forms) come from the site itself."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from portal import roles
from tests.cms.conftest import make_article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TAG = re.compile(r"<(?P<name>[a-zA-Z][\w-]*)\b(?P<attrs>[^>]*)>")
URL_ATTR = re.compile(r"\b(?:src|href|srcset|action|poster|data)\s*=\s*[\"']([^\"']+)[\"']")


def external_resources(html: str, own_hosts: set[str]) -> list[str]:
    found = []
    for tag in TAG.finditer(html):
        if tag["name"].lower() == "a":
            continue  # a link the reader may follow, not a request the page makes
        for value in URL_ATTR.findall(tag["attrs"]):
            for candidate in value.split(","):
                url = candidate.strip().split(" ")[0]
                if url.startswith("//"):
                    url = "https:" + url
                parts = urlsplit(url)
                if parts.scheme in ("http", "https") and parts.hostname not in own_hosts:
                    found.append(f"<{tag['name']}> {url}")
    return found


def test_the_scanner_catches_an_avatar_from_gravatar():
    html = '<img src="https://www.gravatar.com/avatar/abc"><a href="https://example.org/">x</a>'
    assert external_resources(html, {"testserver"}) == ["<img> https://www.gravatar.com/avatar/abc"]


def test_no_page_loads_anything_from_another_host(client, column, settings):
    article = make_article(column, title="东区生态环境质量持续改善")
    own = {
        "testserver",
        "localhost",
        "127.0.0.1",
        urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname,
    }
    pages = {"home": "/", "article": article.url}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert external_resources(response.content.decode(), own) == [], name

    for role in (roles.EDITOR, roles.INTAKE_OFFICER):
        client.force_login(UserFactory(username=f"u-{role}", roles=[role]))
        response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        assert external_resources(response.content.decode(), own) == [], role
