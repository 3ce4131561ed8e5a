"""Tip-off rate limits: the shared limiter (portal.ratelimit) with the tip-off scopes.

Keys are hashed, so neither IP addresses nor phone numbers are stored in the cache in clear.
The limits per scope are ``settings.TIPOFFS_RATE_LIMITS``.
"""

from __future__ import annotations

from django.conf import settings

from portal import ratelimit as _shared
from portal.ratelimit import client_ip

__all__ = ["client_ip", "hit", "limit_for", "peek"]


def limit_for(scope: str) -> tuple[int, int]:
    limit, window = settings.TIPOFFS_RATE_LIMITS[scope]
    return int(limit), int(window)


def peek(scope: str, value: str) -> bool:
    """True when ``value`` is still under its limit (does not count)."""
    limit, _window = limit_for(scope)
    return _shared.peek(f"tipoffs:{scope}", value, limit=limit)


def hit(scope: str, value: str) -> bool:
    """Count one use; True when it is within the limit."""
    limit, window = limit_for(scope)
    return _shared.hit(f"tipoffs:{scope}", value, limit=limit, window=window)
