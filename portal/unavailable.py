"""A dependency is down: answer 503 with ``Retry-After`` instead of a 500.

When PostgreSQL stops (failover, restart, network) Django raises ``OperationalError`` or
``InterfaceError`` from wherever the first query happens; when the object storage holding
uploads does not answer, the storage backend raises a connection error from botocore. Neither is
a bug of the portal, and a resident should be told to try again shortly, not that "something went
wrong". This middleware turns those exceptions into a translated 503 page (or JSON for API
clients) with ``Retry-After``, so that browsers, the Open311 clients and nginx all see a
temporary condition. Nothing is half-saved: every write path runs in one transaction, which the
database rolls back when the connection is lost (files written before the failure are swept by
``tipoffs_sweep_photos``).

It sits first in ``MIDDLEWARE``. Exceptions raised by a view reach ``process_exception``;
exceptions raised inside another middleware (the session save, for example) are turned into a
500 response by Django before they could reach us, so a ``got_request_exception`` receiver
marks the request and ``__call__`` swaps that 500 for the 503.
"""

from __future__ import annotations

import logging
import sys
import time

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: Seconds a client should wait before trying again.
RETRY_AFTER = 30
_MARK = "_portal_dependency_down"
_LOG_EVERY = 10.0  # seconds: one log line per outage burst per process, not one per request
_last_logged = 0.0


def _storage_errors() -> tuple[type[BaseException], ...]:
    try:
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from botocore.exceptions import HTTPClientError
    except ImportError:  # pragma: no cover - django-storages[s3] is a dependency
        return ()
    return (BotoConnectionError, HTTPClientError)


DATABASE_ERRORS = (OperationalError, InterfaceError)
STORAGE_ERRORS = _storage_errors()


def dependency_of(exc: BaseException | None) -> str | None:
    """'database' or 'storage' when ``exc`` means that dependency is unreachable, else None."""
    if exc is None:
        return None
    if isinstance(exc, DATABASE_ERRORS):
        return "database"
    if STORAGE_ERRORS and isinstance(exc, STORAGE_ERRORS):
        return "storage"
    return None


def _wants_json(request) -> bool:
    if request.path.startswith(("/open311/", "/api/")) or request.path.endswith(".json"):
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def unavailable_response(request, dependency: str) -> HttpResponse:
    message = (
        _(
            "The file store is not answering, so nothing was saved. Please try again in a few minutes."
        )
        if dependency == "storage"
        else _("The service is briefly unavailable. Nothing was saved; please try again shortly.")
    )
    if _wants_json(request):
        response = JsonResponse(
            {"error": "unavailable", "dependency": dependency, "detail": message}, status=503
        )
    else:
        html = loader.get_template("503.html").render({"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def _log(request, dependency: str, exc: BaseException | None) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= _LOG_EVERY:
        _last_logged = now
        logger.error("%s unavailable (%r) at %s; answering 503", dependency, exc, request.path)


def _mark_request(sender, request=None, **kwargs) -> None:
    dependency = dependency_of(sys.exc_info()[1])
    if request is not None and dependency:
        setattr(request, _MARK, dependency)


got_request_exception.connect(_mark_request, dispatch_uid="portal.unavailable")


class DependencyUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        dependency = getattr(request, _MARK, None)
        if dependency and response.status_code == 500:
            _log(request, dependency, None)
            return unavailable_response(request, dependency)
        return response

    def process_exception(self, request, exception):
        dependency = dependency_of(exception)
        if dependency is None:
            return None
        _log(request, dependency, exception)
        return unavailable_response(request, dependency)
