"""Fixed-window rate limits for the public forms, in the shared cache (Redis or the database
cache, never per process), and the one function that says which client sent a request.

Keys are hashed with the secret key, so neither IP addresses, phone numbers nor ID numbers are
stored in the cache in clear. Each app names its scopes (``"disclosure:request_client"``) and
declares its limits in ``settings.py``; docs/operations.md lists them all.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from portal import client as _client


def configured(setting: str, scope: str) -> tuple[int, int]:
    """``(limit, window in seconds)`` of ``scope`` in the dict setting ``setting``."""
    limit, window = getattr(settings, setting)[scope]
    return int(limit), int(window)


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def peek(scope: str, value: str, *, limit: int) -> bool:
    """True when ``value`` is still under ``limit`` in ``scope`` (does not count)."""
    return (cache.get(_key(scope, value)) or 0) < limit


def hit(scope: str, value: str, *, limit: int, window: int) -> bool:
    """Count one use of ``value`` in ``scope``; True when it is within ``limit`` per ``window``."""
    key = _key(scope, value)
    if cache.add(key, 1, window):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def client_ip(request) -> str:
    """The client's address: portal.client decides it once (PORTAL_TRUSTED_PROXIES)."""
    return _client.client_ip(request)
