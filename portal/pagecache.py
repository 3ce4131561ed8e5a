"""The anonymous page cache and the cache policy of every response (issue 20).

**Consulted before routing.** ``AnonymousPageCacheMiddleware`` sits just inside WhiteNoise,
before sessions, authentication, language and Wagtail's routing. A GET from a visitor without a
session cookie is looked up under a key built from the request alone: host, path (which carries
the language: ``/en/…`` or the default), and the query string without share and tracking
parameters. A hit is answered from the shared cache with no SQL at all; the outer middleware
(security headers, CSP, Permissions-Policy) still runs on it.

**What may be cached is decided by the view, after routing.** Only views that opt in (Wagtail
pages with ``AnonymousCachedPageMixin``, function views with ``@anonymous_page``) ever store a
copy, and only when their response is personal to nobody: the visitor has no session cookie,
the response sets no cookie, status 200. Wagtail's ``before_serve_page`` hooks (view
restrictions, site resolution) run before a page's ``serve()``, so a restricted page never
reaches the opt-in; the host is part of the key, so each Site has its own copies; a change of
view restrictions bumps the content version (cms.signals).

**Invalidation** is by a global content version in the key: publishing, moving or deleting a
page, editing site settings or the disclosure data bumps it (``invalidate_public_pages``), so
every page that might show the change (home, columns, dashboards) is re-rendered on its next
request. Entries also expire after ``CMS_PAGE_CACHE_SECONDS``.

**Policy for every response** (``apply_cache_policy``): opted-in anonymous pages get
``Cache-Control: public, max-age=CMS_BROWSER_MAX_AGE, stale-while-revalidate=…`` and
``X-Accel-Expires`` for the nginx microcache (``PORTAL_EDGE_CACHE_SECONDS``); anything a
signed-in visitor sees or that sets a cookie is ``private, no-store``; any other anonymous
response is ``private, no-cache``. ``Vary: Cookie`` stays on public pages for browsers; shared
caches instead bypass every request that carries a session cookie (deploy/nginx/portal.conf).

The cache is Django's default cache (Redis in production), shared by all processes.
"""

from __future__ import annotations

import functools
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_path

VERSION_KEY = "cms:content-version"
#: Query parameters that select what the home page, columns and lists show (``page``,
#: ``category``, ``year``); views may declare more with ``anonymous_page(params=…)``.
PAGE_PARAMS = frozenset({"page", "category", "year"})
#: Longest query value kept in a cache key; longer values are never stored.
MAX_PARAM_LENGTH = 40
HIT_HEADER = "X-Page-Cache"
_OPT_IN = "_portal_page_cache_params"


# --- Content version ---------------------------------------------------------------------


def content_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def invalidate_public_pages(**_signal_kwargs) -> None:
    """Make every cached page stale. Apps call this when data shown on public pages changes."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


# --- Keys ----------------------------------------------------------------------------------


def is_share_param(name: str) -> bool:
    """Tracking and share parameters (WeChat's ``from``/``isappinstalled``, ``utm_*``, …)."""
    ignored = settings.PORTAL_CACHE_IGNORED_PARAMS
    return name in ignored or any(
        name.startswith(prefix[:-1]) for prefix in ignored if prefix.endswith("*")
    )


def content_params(query_dict) -> list[tuple[str, str]]:
    """The query parameters that may change what a page shows, sorted; share parameters dropped."""
    return sorted(
        (name, value)
        for name, values in query_dict.lists()
        if not is_share_param(name)
        for value in values
    )


def canonical_query(query_dict, allowed=PAGE_PARAMS) -> str:
    """The query string a canonical link keeps: the allowed content parameters only."""
    return urlencode([(k, v) for k, v in content_params(query_dict) if k in allowed])


def _personal(request) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES or bool(request.COOKIES.get("messages"))


def request_key(request) -> str | None:
    """The cache key of an anonymous GET, or None when the request may not use the cache."""
    if request.method != "GET" or _personal(request):
        return None
    params = content_params(request.GET)
    if any(len(value) > MAX_PARAM_LENGTH for _, value in params):
        return None
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: let the normal stack answer it
        return None
    language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    address = request.path_info + "?" + urlencode(params)
    digest = hashlib.sha256(f"{host}\n{address}".encode()).hexdigest()[:40]
    return f"pc:{content_version()}:{language}:{digest}"


# --- Opting in -----------------------------------------------------------------------------


def opt_in(request, params=PAGE_PARAMS) -> None:
    """Mark this request's response as shareable among anonymous visitors.

    ``params`` are the query parameters the view understands; a request with any other content
    parameter is answered but not stored (so made-up parameters cannot fill the cache).
    """
    setattr(request, _OPT_IN, frozenset(params))


def anonymous_page(view=None, *, params=PAGE_PARAMS):
    """Decorator: the view's anonymous GET responses are public and cached (see ``opt_in``)."""

    def decorate(func):
        @functools.wraps(func)
        def wrapped(request, *args, **kwargs):
            opt_in(request, params)
            return func(request, *args, **kwargs)

        wrapped.page_cache_params = frozenset(params)  # read by the cache-policy test
        return wrapped

    return decorate(view) if view is not None else decorate


class AnonymousCachedPageMixin:
    """For Wagtail pages: anonymous GET responses are public and served from the page cache.

    ``cache_params`` lists the query parameters the page understands.
    """

    cache_params = PAGE_PARAMS

    def serve(self, request, *args, **kwargs):
        if not getattr(request, "is_preview", False):
            opt_in(request, self.cache_params)
        return super().serve(request, *args, **kwargs)


# --- Policy ----------------------------------------------------------------------------------


def public_headers(response) -> None:
    patch_cache_control(
        response,
        public=True,
        max_age=settings.CMS_BROWSER_MAX_AGE,
        stale_while_revalidate=settings.PORTAL_STALE_WHILE_REVALIDATE,
    )
    patch_vary_headers(response, ("Cookie",))
    if settings.PORTAL_EDGE_CACHE_SECONDS:
        # nginx's microcache lifetime; nginx does not pass X-Accel-* headers on to the client.
        response["X-Accel-Expires"] = str(settings.PORTAL_EDGE_CACHE_SECONDS)


def shareable(request, response) -> bool:
    """The opted-in response is the same for every anonymous visitor of this address."""
    allowed = getattr(request, _OPT_IN, None)
    if allowed is None or request.method not in ("GET", "HEAD") or _personal(request):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if response.cookies or response.status_code != 200 or response.streaming:
        return False
    if "no-store" in response.get("Cache-Control", "") or "private" in response.get(
        "Cache-Control", ""
    ):
        return False
    return all(name in allowed for name, _ in content_params(request.GET))


def apply_cache_policy(request, response) -> bool:
    """Set the response's Cache-Control by the rules above; True when it may be stored."""
    if shareable(request, response):
        del response["Cache-Control"]
        public_headers(response)
        return True
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in or response.cookies or _personal(request):
        cache_control = response.get("Cache-Control", "")
        if "public" in cache_control or not cache_control:
            if "public" in cache_control:
                del response["Cache-Control"]
            add_never_cache_headers(response)
    elif not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True, no_cache=True)
    return False


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request_key(request)
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                return self._hit(cached)
        response = self.get_response(request)
        if apply_cache_policy(request, response) and key is not None:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(
                key,
                (response.content, response["Content-Type"], response.get("Content-Language")),
                settings.CMS_PAGE_CACHE_SECONDS,
            )
            response[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def _hit(cached) -> HttpResponse:
        content, content_type, language = cached
        response = HttpResponse(content, content_type=content_type)
        if language:
            response["Content-Language"] = language
        public_headers(response)
        response[HIT_HEADER] = "hit"
        return response
