"""Contract: the Open311 API driven over HTTP by a published GeoReport v2 client, in JSON and XML.

``georeport`` (PyPI, a thin GeoReport v2 wrapper over requests and xmltodict) reads the service
list, the service definitions and the requests; it cannot create requests, so the POST is made
with ``requests`` and read back with ``xmltodict`` (the same two libraries the client is built
on) and then through the client. Nothing here uses our own parser. docs/tipoffs.md names the
versions.
"""

from __future__ import annotations

import json

import pytest
import requests
import xmltodict
from georeport import GeoReport

from portal.tipoffs import workflow
from portal.tipoffs.models import Open311Client, Tipoff

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FORMATS = ["json", "xml"]
DESCRIPTION = "工地夜间扬尘严重，影响周边居民休息"


def as_list(value):
    """xmltodict gives one child element as a dict and several as a list (XML has no arrays)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@pytest.fixture
def api(live_server, django_db_serialized_rollback, subdistrict, monkeypatch):
    # One request per connection, so that no live-server thread outlives the test waiting for a
    # next request on a kept-alive connection (it would close the shared in-memory SQLite
    # connection after the server stopped sharing it).
    defaults = requests.utils.default_headers()
    defaults["Connection"] = "close"
    monkeypatch.setattr(requests.sessions, "default_headers", lambda: defaults.copy())
    key = Open311Client.objects.create(name="12345 平台").api_key
    return {"root": f"{live_server.url}/open311/v2", "key": key, "subdistrict": subdistrict}


def create(api, fmt: str, **fields) -> str:
    """POST a request as a client system would; the service_request_id from the response."""
    data = {
        "api_key": api["key"],
        "service_code": "air-dust",
        "attribute[subdistrict]": api["subdistrict"].code,
        "attribute[time_pattern]": "夜间",
        "address_string": "东华街道攀枝花大道东段123号",
        "description": DESCRIPTION,
        "first_name": "保密",
        "last_name": "张",
        "email": "reporter@example.org",
        **fields,
    }
    response = requests.post(f"{api['root']}/requests.{fmt}", data=data, timeout=30)
    assert response.status_code == 200, response.text
    if fmt == "json":
        (created,) = response.json()
    else:
        created = xmltodict.parse(response.content)["service_requests"]["request"]
        assert isinstance(created, dict)  # exactly one <request>
    assert "token" not in created  # the spec returns one of service_request_id and token
    return created["service_request_id"]


@pytest.fixture
def publish(intake, handler_a, dept_a):
    """Answer a report so that it is on the public case list (and so in GET requests)."""

    def _publish(pk: str) -> None:
        tipoff = Tipoff.objects.get(pk=pk)
        workflow.tipoff_accept(tipoff=tipoff, actor=intake)
        workflow.tipoff_assign(tipoff=tipoff, actor=intake, departments=[dept_a])
        workflow.tipoff_start_investigation(tipoff=tipoff, actor=handler_a)
        workflow.tipoff_resolve(
            tipoff=tipoff,
            actor=handler_a,
            finding="true",
            measures="责令停工整改",
            public_reply="已整改",
        )

    return _publish


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_client_reads_the_service_list_and_a_definition_with_its_attributes(api, fmt):
    client = GeoReport(api["root"], output_format=fmt)
    services = as_list(client.get_service_list())
    dust = next(s for s in services if s["service_code"] == "air-dust")
    assert dust["service_name"] == "扬尘"
    assert dust["keywords"] == "扬尘,大气污染"  # one comma-separated string in both formats
    assert str(dust["metadata"]).lower() == "true" and dust["type"] == "realtime"

    definition = client.get_service_definition("air-dust")
    assert definition["service_code"] == "air-dust"
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = as_list(attributes["attribute"])
    assert [a["code"] for a in attributes] == ["subdistrict", "time_pattern"]
    subdistrict = attributes[0]
    assert str(subdistrict["required"]).lower() == "true"
    values = subdistrict["values"] if fmt == "json" else as_list(subdistrict["values"]["value"])
    assert {"key": api["subdistrict"].code, "name": api["subdistrict"].name} in [
        dict(v) for v in values
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_posted_and_answered_is_read_back_by_the_client(api, publish, fmt):
    with_point = create(api, fmt, lat="26.585123", long="101.718456")
    without_point = create(api, fmt)
    for pk in (with_point, without_point):
        publish(pk)

    client = GeoReport(api["root"], output_format=fmt)
    listed = as_list(client.get_service_requests(service_code="air-dust", status="closed"))
    by_id = {r["service_request_id"]: r for r in listed}
    assert set(by_id) == {with_point, without_point}

    located = client.get_service_request(with_point)
    assert located["status"] == "closed" and located["service_code"] == "air-dust"
    assert float(located["lat"]) == 26.585 and float(located["long"]) == 101.718
    assert located["address"] == "东华街道攀枝花大道东段"
    assert "责令停工整改" in located["status_notes"]

    unlocated = client.get_service_request(without_point)
    # Unknown coordinates are left out: no key, no empty element, no null.
    assert "lat" not in unlocated and "long" not in unlocated
    assert None not in unlocated.values()

    body = json.dumps(listed, ensure_ascii=False)
    for secret in ("reporter@example.org", DESCRIPTION, "123号"):
        assert secret not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_reach_the_client_as_georeport_errors(api, fmt):
    response = requests.post(
        f"{api['root']}/requests.{fmt}",
        data={"api_key": "wrong", "service_code": "air-dust"},
        headers={"Accept-Language": "en"},
        timeout=30,
    )
    assert response.status_code == 403
    if fmt == "json":
        (entry,) = response.json()
    else:
        entry = xmltodict.parse(response.content)["errors"]["error"]
    assert int(entry["code"]) == 403 and "api_key" in entry["description"]

    client = GeoReport(api["root"], output_format=fmt)
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_definition("no-such-service")
    assert caught.value.response.status_code == 404

    wrong_method = requests.put(f"{api['root']}/services.{fmt}", timeout=30)
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "GET, HEAD"
    csv = requests.get(f"{api['root']}/requests.csv", timeout=30)
    assert csv.status_code == 404 and csv.json()[0]["code"] == 404


def test_the_discovery_document_leads_the_client_to_the_endpoint(api, live_server):
    discovery = requests.get(f"{live_server.url}/open311/discovery.json", timeout=30).json()
    (endpoint,) = discovery["endpoints"]
    assert endpoint["url"] == api["root"]
    xml = xmltodict.parse(
        requests.get(f"{live_server.url}/open311/discovery.xml", timeout=30).content
    )
    assert xml["discovery"]["endpoints"]["endpoint"]["url"] == api["root"]
    services = GeoReport(endpoint["url"]).get_service_list()
    assert any(s["service_code"] == "air-dust" for s in services)
