"""Where to send a user back to: the one check of a ``next`` parameter."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str = "/") -> str:
    """``next`` from the POST body or the query string when it is a URL on this site (same host,
    and https when the request is), else ``fallback``: never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
