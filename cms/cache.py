"""Per-page cache for anonymous visitors, invalidated whenever published content changes.

A cached entry is the rendered HTML of one page for one address (path and the few query
parameters a page understands) and interface language (the 无障碍 display settings live in the
browser, static/js/a11y.js, so they do not vary the HTML). Keys carry a global
*content version*; publishing, unpublishing, moving or deleting any page, or editing a category
or the site settings, bumps the version, so every page that might list the changed one (home,
column, related articles) is re-rendered on its next request. Entries also expire after
``CMS_PAGE_CACHE_SECONDS`` so data shown from other apps is never older than that.

The CSRF token of the header form (language) differs per visitor, so the HTML is
cached with a placeholder that is replaced by the visitor's own token on every response.
The cache is Django's default cache (Redis or the database table in production), shared by all
processes; nothing is kept in process memory.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "cms:content-version"
CSRF_PLACEHOLDER = "cmsCsrfPlaceholder7f3a9c1e5b"
#: Query parameters that select what a page shows; other parameters bypass the cache.
CACHEABLE_PARAMS = frozenset({"page", "category", "year"})


def page_cache_seconds() -> int:
    return settings.CMS_PAGE_CACHE_SECONDS


def browser_max_age() -> int:
    return settings.CMS_BROWSER_MAX_AGE


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def invalidate_public_pages(**_signal_kwargs) -> None:
    """Make every cached page stale. Other apps call this when data shown on pages changes."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def _is_cacheable(request) -> bool:
    if request.method != "GET":
        return False
    if getattr(request, "is_preview", False):
        return False
    if request.user.is_authenticated:
        return False
    if not set(request.GET).issubset(CACHEABLE_PARAMS):
        return False
    if request.COOKIES.get("messages"):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.get("_messages"))


def _cache_key(request, page) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"cms:page:{content_version()}:{page.pk}:{get_language()}:{digest}"


class CachedPageMixin:
    """Serve anonymous GET requests of this page type from the shared cache."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if getattr(request, "_cms_render_for_cache", False):
            context["csrf_token"] = CSRF_PLACEHOLDER
        return context

    def serve(self, request, *args, **kwargs):
        if not _is_cacheable(request):
            response = super().serve(request, *args, **kwargs)
            if request.user.is_authenticated:
                add_never_cache_headers(response)
            return response
        key = _cache_key(request, self)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
        else:
            request._cms_render_for_cache = True
            try:
                response = super().serve(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
            finally:
                request._cms_render_for_cache = False
            if response.status_code != 200 or response.streaming:
                return response
            cache.set(key, (response.content, response["Content-Type"]), page_cache_seconds())
            response["X-Page-Cache"] = "miss"
        response.content = response.content.replace(
            CSRF_PLACEHOLDER.encode(), get_token(request).encode()
        )
        patch_cache_control(response, private=True, max_age=browser_max_age())
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response


def cache_public_view(view):
    """Cache a token-free public view (feeds, sitemap) under the content version."""

    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET" or request.GET:
            return view(request, *args, **kwargs)
        digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"cms:view:{content_version()}:{get_language()}:{request.get_host()}:{digest}"
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code != 200:
                return response
            cache.set(key, (response.content, response["Content-Type"]), page_cache_seconds())
        patch_cache_control(response, public=True, max_age=browser_max_age())
        return response

    return wrapped
