"""Open311 GeoReport v2: services, the POST/GET round trip, filters, XML, errors, no identity."""

from __future__ import annotations

import json

import pytest
from defusedxml import ElementTree

from portal.tipoffs import workflow
from portal.tipoffs.models import Open311Client, State, Tipoff
from tests.tipoffs.conftest import REPORTER

pytestmark = pytest.mark.django_db

DESCRIPTION = "工地夜间扬尘严重，影响周边居民休息"


@pytest.fixture
def api_key(db):
    return Open311Client.objects.create(name="12345 平台").api_key


def post_request(client, key, subdistrict, *, headers=None, **extra):
    data = {
        "api_key": key,
        "service_code": "air-dust",
        "attribute[subdistrict]": subdistrict.code,
        "attribute[time_pattern]": "夜间",
        "address_string": "东华街道攀枝花大道东段123号",
        "lat": "26.585123",
        "long": "101.718456",
        "description": DESCRIPTION,
        "first_name": "保密",
        "last_name": "张",
        "phone": REPORTER["phone"],
        "email": REPORTER["email"],
    }
    data.update(extra)
    return client.post("/open311/v2/requests.json", data, headers=headers or {})


def test_services_list_the_leaf_categories(client):
    data = client.get("/open311/v2/services.json").json()
    codes = {s["service_code"] for s in data}
    assert {"air-dust", "water-black", "soil", "other"} <= codes
    assert "air" not in codes  # a group, not a service
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in data)


def test_a_service_definition_requires_the_subdistrict(client, subdistrict):
    data = client.get("/open311/v2/services/air-dust.json").json()
    first = data["attributes"][0]
    assert first["code"] == "subdistrict" and first["required"] is True
    assert {"key": subdistrict.code, "name": subdistrict.name} in first["values"]
    assert client.get("/open311/v2/services/nope.json").status_code == 404


@pytest.fixture
def answer(intake, handler_a, dept_a):
    """Drive a report to an answer, so that it is published on the case list (and here)."""

    def _answer(tipoff):
        workflow.tipoff_accept(tipoff=tipoff, actor=intake)
        workflow.tipoff_assign(tipoff=tipoff, actor=intake, departments=[dept_a])
        workflow.tipoff_start_investigation(tipoff=tipoff, actor=handler_a)
        return workflow.tipoff_resolve(
            tipoff=tipoff,
            actor=handler_a,
            finding="true",
            measures="责令停工整改",
            public_reply="已整改",
        )

    return _answer


def test_round_trip_post_then_get_by_id_token_and_filters(client, api_key, subdistrict, answer):
    response = post_request(client, api_key, subdistrict)
    assert response.status_code == 200
    created = response.json()[0]
    tipoff = Tipoff.objects.get(pk=created["service_request_id"])
    assert tipoff.channel == "open311" and tipoff.extra_answers == {
        "污染通常出现在什么时段？": "夜间"
    }
    # The spec returns either service_request_id or token: the id, as the request exists at once.
    assert "token" not in created and created["tracking_code"] == tipoff.display_code
    token = client.get(f"/open311/v2/tokens/{tipoff.open311_token}.json").json()
    assert token[0]["service_request_id"] == created["service_request_id"]
    # Open reports are not public (the case list shows answered ones only): not listed, not found.
    assert client.get(f"/open311/v2/requests/{tipoff.pk}.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"status": "open"}).json() == []

    answer(tipoff)
    one = client.get(f"/open311/v2/requests/{tipoff.pk}.json").json()[0]
    assert one["status"] == "closed" and one["service_code"] == "air-dust"
    assert one["address"] == "东华街道攀枝花大道东段"
    assert one["lat"] == 26.585 and one["long"] == 101.718

    listed = client.get(
        "/open311/v2/requests.json", {"service_code": "air-dust", "status": "closed"}
    ).json()
    assert [r["service_request_id"] for r in listed] == [str(tipoff.pk)]
    assert client.get("/open311/v2/requests.json", {"status": "open"}).json() == []
    assert client.get("/open311/v2/requests.json", {"service_request_id": str(tipoff.pk)}).json()
    assert (
        client.get(
            "/open311/v2/requests.json",
            {"start_date": "2001-01-01T00:00:00+08:00", "end_date": "2001-02-01T00:00:00+08:00"},
        ).json()
        == []
    )


def test_open311_output_never_contains_contact_details_or_the_description(
    client, api_key, subdistrict, answer
):
    post_request(client, api_key, subdistrict)
    answer(Tipoff.objects.get())
    assert len(client.get("/open311/v2/requests.json").json()) == 1
    for url in (
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{Tipoff.objects.get().pk}.json",
    ):
        body = client.get(url).content.decode()
        for secret in (*REPORTER.values(), "张", DESCRIPTION, "工地夜间", "123号"):
            assert secret not in body, (url, secret)


def test_xml_is_offered_as_the_spec_allows(client, api_key, subdistrict, answer):
    post_request(client, api_key, subdistrict)
    answer(Tipoff.objects.get())
    root = ElementTree.fromstring(client.get("/open311/v2/requests.xml").content)
    assert root.tag == "service_requests"
    assert root.find("request/status").text == "closed"
    services = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)
    assert services.tag == "services" and services.find("service/service_code") is not None


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": "wrong"}, 403),
        ({"service_code": "nope"}, 404),
        ({"attribute[subdistrict]": ""}, 400),
        ({"phone": "not-a-phone"}, 400),
        ({"lat": "abc"}, 400),
        ({"address_string": "", "lat": "", "long": ""}, 400),
        ({"description": ""}, 400),
    ],
)
def test_errors_use_the_spec_format_and_nothing_is_saved(
    client, api_key, subdistrict, change, status
):
    response = post_request(client, api_key, subdistrict, **change)
    assert response.status_code == status
    body = response.json()
    assert body[0]["code"] == status and body[0]["description"]
    assert not Tipoff.objects.exists()


def test_an_xml_error_is_xml(client):
    response = client.get("/open311/v2/requests/999.xml")
    assert response.status_code == 404
    assert ElementTree.fromstring(response.content).find("error/code").text == "404"


def test_a_deactivated_key_is_refused(client, api_key, subdistrict):
    Open311Client.objects.update(is_active=False)
    assert post_request(client, api_key, subdistrict).status_code == 403


def test_a_resolved_request_is_closed_with_the_outcome(client, case_in):
    tipoff = case_in(State.RESOLVED)
    data = client.get(f"/open311/v2/requests/{tipoff.pk}.json").json()[0]
    assert data["status"] == "closed" and "责令停工整改" in data["status_notes"]
    assert data["agency_responsible"] == "甲局"
    assert json.dumps(data, ensure_ascii=False).find(REPORTER["phone"]) == -1
