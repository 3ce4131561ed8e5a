"""Tip-off rate limits: the shared limiter (portal.ratelimit) with the tip-off scopes.

Keys are hashed, so neither IP addresses nor phone numbers are stored in the cache in clear.
"""

from __future__ import annotations

from django.conf import settings

from portal import ratelimit as _shared
from portal.ratelimit import client_ip

__all__ = ["DEFAULTS", "client_ip", "hit", "limit_for", "peek"]

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


def peek(scope: str, value: str) -> bool:
    """True when ``value`` is still under its limit (does not count)."""
    limit, _window = limit_for(scope)
    return _shared.peek(f"tipoffs:{scope}", value, limit=limit)


def hit(scope: str, value: str) -> bool:
    """Count one use; True when it is within the limit."""
    limit, window = limit_for(scope)
    return _shared.hit(f"tipoffs:{scope}", value, limit=limit, window=window)
