"""A link crawler for tests: how many clicks each address is from a start page.

    from tests.crawl import crawl
    depths = crawl(Client(), "/", max_depth=3)   # {"/report/": 1, "/tipoffs/new": 2, ...}

Breadth-first over ``<a href>`` links with the Django test client (anonymous unless the client is
signed in). A redirect is not a click: its target gets the depth of the link that led to it.
Addresses are recorded without their query string or fragment; links with a query string
(filters, pagination, the 纠错 link's ``?page=``) are recorded but not followed, so the crawl stays
small and tells how far a page is by plain links. Only addresses under ``prefix`` are followed
(``"/en/"`` keeps an English crawl in English); the admin, documents, media and static files are
never fetched.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIPPED_PREFIXES = ("/admin/", "/documents/", "/media/", "/static/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(html: str, base: str) -> list[str]:
    """The same-site links of a page, as absolute paths with their query string."""
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def crawl(client, start: str, *, max_depth: int = 3, prefix: str = "/") -> dict[str, int]:
    """``{path: clicks from start}`` for every address reachable in ``max_depth`` clicks."""
    depths: dict[str, int] = {}
    queue: deque[tuple[str, int]] = deque([(start, 0)])
    fetched: set[str] = set()
    while queue:
        url, depth = queue.popleft()
        path = urlsplit(url).path
        if path not in depths or depth < depths[path]:
            depths[path] = depth
        if (
            url in fetched
            or depth >= max_depth + 1
            or "?" in url
            or not path.startswith(prefix)
            or path.startswith(SKIPPED_PREFIXES)
        ):
            continue
        fetched.add(url)
        response = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            queue.appendleft((urlsplit(response["Location"]).path or url, depth))
            continue
        if depth >= max_depth or response.status_code != 200:
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in links_of(response.content.decode("utf-8", "replace"), url):
            queue.append((link, depth + 1))
    return depths
