"""Fixed-window rate limits in the shared cache (Redis or the database cache, never per process).

Keys are hashed, so neither IP addresses nor phone numbers are stored in the cache in clear.
The limits per scope are ``settings.TIPOFFS_RATE_LIMITS``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from portal import client


def limit_for(scope: str) -> tuple[int, int]:
    return tuple(settings.TIPOFFS_RATE_LIMITS[scope])


def _key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()[:32]
    return f"tipoffs:rl:{scope}:{digest}"


def peek(scope: str, value: str) -> bool:
    """True when ``value`` is still under its limit (does not count)."""
    limit, _window = limit_for(scope)
    return (cache.get(_key(scope, value)) or 0) < limit


def hit(scope: str, value: str) -> bool:
    """Count one use; True when it is within the limit."""
    limit, window = limit_for(scope)
    key = _key(scope, value)
    if cache.add(key, 1, window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit


def client_ip(request) -> str:
    """The portal's one client address (portal.client, PORTAL_TRUSTED_PROXIES)."""
    return client.client_ip(request)
