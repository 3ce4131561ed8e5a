"""Contract: schemathesis generates requests from the committed OpenAPI 3.1 description of
/open311/v2/ and checks every response against it: no 5xx, documented status codes, content
types and headers (``Allow`` on 405), and JSON bodies that match the schemas.

Bounded and deterministic: a few examples per operation (``MAX_EXAMPLES``), derandomised, no
example database; the explicit ``examples``, ``coverage`` (boundary values, undeclared methods)
and ``fuzzing`` phases. The calls go through the WSGI app inside the test's transaction, with a
real api_key among the examples so that POSTs also get past the key check. XML bodies are checked
for their status, content type and headers here (schemathesis has no XML schema validation) and
for their structure by the client test (test_open311_clients.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from portal.tipoffs import open311
from portal.tipoffs.models import Open311Client

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
]
API_KEY = "schemathesis-contract-key"
SUBDISTRICT = "donghua"  # the code of the ``subdistrict`` fixture
OPENAPI_FILE = Path(open311.__file__).with_name("open311_openapi.json")


def _document() -> dict:
    """The committed description, with a real key, service and sub-district among the form's
    examples so that some generated POSTs get past the key check and are filed."""
    document = json.loads(OPENAPI_FILE.read_text())
    form = document["components"]["schemas"]["NewRequest"]["properties"]
    form["api_key"]["examples"] = [API_KEY]
    form["service_code"]["examples"] = ["air-dust"]
    form["attribute[subdistrict]"]["examples"] = [SUBDISTRICT]
    return document


# Loaded at collection (schemathesis' lazy ``from_fixture`` does not work with pytest 9); the
# calls go to the WSGI app in-process, inside each test's database transaction.
schema = schemathesis.openapi.from_dict(_document())
schema.app = get_wsgi_application()
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"])


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The raw WSGI app sends request_started/finished, whose receiver closes the database
    connection (Django's test client disconnects it; on PostgreSQL that would end the test's
    transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _world(db, subdistrict, settings):
    assert subdistrict.code == SUBDISTRICT
    settings.ALLOWED_HOSTS = ["*"]
    Open311Client.objects.create(name="schemathesis", api_key=API_KEY)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_open311_conforms_to_its_openapi_description(case):
    case.call_and_validate(checks=CHECKS)


def test_the_committed_description_names_every_route_of_the_api():
    document = json.loads(OPENAPI_FILE.read_text())
    for resource in ("services", "requests"):
        for fmt in ("json", "xml"):
            assert f"/{resource}.{fmt}" in document["paths"]
    assert set(document["paths"]["/requests.json"]) == {"get", "post"}
