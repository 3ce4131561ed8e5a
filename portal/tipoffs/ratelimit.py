"""Fixed-window rate limits in the shared cache (Redis or the database cache, never per process).

Keys are hashed, so neither IP addresses nor phone numbers are stored in the cache in clear.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {
    "ip": (10, 3600),  # submissions per IP per hour
    "phone": (5, 86400),  # submissions per phone per day
    "track": (30, 600),  # tracking-code look-ups per IP per 10 minutes
    "api": (120, 3600),  # Open311 POSTs per API key per hour
    "followup": (20, 86400),  # additions, ratings and review requests per report per day
}


def limit_for(scope: str) -> tuple[int, int]:
    configured = getattr(settings, "TIPOFFS_RATE_LIMITS", {}) or {}
    return tuple(configured.get(scope, DEFAULTS[scope]))


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
    """REMOTE_ADDR, or the proxy's X-Forwarded-For entry when TIPOFFS_TRUSTED_PROXIES > 0."""
    proxies = int(getattr(settings, "TIPOFFS_TRUSTED_PROXIES", 0))
    if proxies:
        forwarded = [
            p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
