"""A database or object storage that does not answer gives a translated 503 with Retry-After."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from portal.unavailable import DependencyUnavailableMiddleware, _mark_request


@pytest.mark.parametrize("exc", [OperationalError("connection refused"), InterfaceError("closed")])
def test_a_database_outage_in_a_view_is_a_503_page_with_retry_after(exc):
    middleware = DependencyUnavailableMiddleware(lambda request: HttpResponse())
    request = RequestFactory().post("/tipoffs/new")
    response = middleware.process_exception(request, exc)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "503" in body
    assert "请稍后" in body or "稍后再试" in body  # zh-hans is active in tests


def test_api_clients_get_json():
    middleware = DependencyUnavailableMiddleware(lambda request: HttpResponse())
    request = RequestFactory().post("/open311/v2/requests.json")
    response = middleware.process_exception(request, OperationalError("down"))
    assert response.status_code == 503
    data = json.loads(response.content)
    assert data["error"] == "unavailable" and data["dependency"] == "database"


def test_the_english_page_is_english():
    middleware = DependencyUnavailableMiddleware(lambda request: HttpResponse())
    with translation.override("en"):
        response = middleware.process_exception(
            RequestFactory().get("/en/"), OperationalError("down")
        )
    assert "Temporarily unavailable" in response.content.decode()


def test_a_storage_outage_says_nothing_was_saved():
    from botocore.exceptions import EndpointConnectionError

    middleware = DependencyUnavailableMiddleware(lambda request: HttpResponse())
    with translation.override("en"):
        response = middleware.process_exception(
            RequestFactory().post("/en/tipoffs/new"),
            EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        )
    assert response.status_code == 503
    assert "nothing was saved" in response.content.decode()


def test_other_errors_are_left_to_django():
    middleware = DependencyUnavailableMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None


def test_an_outage_inside_another_middleware_becomes_503_too():
    """The session save fails after the view: Django made it a 500; we answer 503 instead."""
    request = RequestFactory().get("/")

    def inner(request):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            _mark_request(sender=None, request=request)  # what got_request_exception does
        return HttpResponse(status=500)

    response = DependencyUnavailableMiddleware(inner)(request)
    assert response.status_code == 503
