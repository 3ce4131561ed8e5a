"""The CMS pages' use of the anonymous page cache (the cache itself: portal/pagecache.py).

``CachedPageMixin`` is named in migrations as a base of the CMS page types, so it stays here.
"""

from __future__ import annotations

from portal.pagecache import AnonymousCachedPageMixin, anonymous_page


class CachedPageMixin(AnonymousCachedPageMixin):
    """Anonymous GET requests of this page type are public and served from the page cache."""


def cache_public_view(view):
    """Feeds and the sitemap: token-free public views, cached like pages."""
    return anonymous_page(view, params=())
