"""Open311 GeoReport v2 as the specification words it: shapes, omissions, errors, discovery, and
the same validation as the web form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from defusedxml import ElementTree

from portal.tipoffs.models import Category, Open311Client, Tipoff
from tests.tipoffs.test_intake import NEW, form_data
from tests.tipoffs.test_open311 import post_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_key(db):
    return Open311Client.objects.create(name="12345 平台").api_key


def test_the_xml_service_definition_has_no_wrapper_element(client, subdistrict):
    root = ElementTree.fromstring(client.get("/open311/v2/services/air-dust.xml").content)
    assert root.tag == "service_definition"
    assert [child.tag for child in root] == ["service_code", "attributes"]
    assert root.findtext("service_code") == "air-dust"
    codes = [a.findtext("code") for a in root.findall("attributes/attribute")]
    assert codes == ["subdistrict", "time_pattern"]
    first = root.find("attributes/attribute")
    assert first.findtext("required") == "true" and first.findtext("order") == "1"
    keys = [v.findtext("key") for v in first.findall("values/value")]
    assert subdistrict.code in keys


def test_keywords_are_one_comma_separated_string(client):
    dust = next(
        s for s in client.get("/open311/v2/services.json").json() if s["service_code"] == "air-dust"
    )
    assert dust["keywords"] == "扬尘,大气污染"
    root = ElementTree.fromstring(client.get("/open311/v2/services.xml").content)
    node = next(s for s in root.findall("service") if s.findtext("service_code") == "air-dust")
    assert node.findtext("keywords") == "扬尘,大气污染"
    assert list(node.find("keywords")) == []  # text, not <keyword> children


def test_unknown_coordinates_and_deadline_are_omitted_not_empty_or_null(client, case_in):
    from portal.tipoffs.models import State

    tipoff = case_in(State.RESOLVED)
    Tipoff.objects.filter(pk=tipoff.pk).update(latitude=None, longitude=None, due_date=None)
    one = client.get(f"/open311/v2/requests/{tipoff.pk}.json").json()[0]
    for key in ("lat", "long", "expected_datetime", "media_url"):
        assert key not in one
    assert None not in one.values()
    root = ElementTree.fromstring(client.get(f"/open311/v2/requests/{tipoff.pk}.xml").content)
    request = root.find("request")
    for key in ("lat", "long", "expected_datetime", "media_url"):
        assert request.find(key) is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_returns_the_service_request_id_only(client, api_key, subdistrict, fmt):
    data = {
        "api_key": api_key,
        "service_code": "air-dust",
        "attribute[subdistrict]": subdistrict.code,
        "address_string": "攀枝花大道东段",
        "description": "工地夜间扬尘严重，影响周边居民休息",
    }
    response = client.post(f"/open311/v2/requests.{fmt}", data)
    assert response.status_code == 200
    tipoff = Tipoff.objects.get()
    if fmt == "json":
        created = response.json()
        assert created[0]["service_request_id"] == str(tipoff.pk)
        assert "token" not in created[0]
    else:
        root = ElementTree.fromstring(response.content)
        assert root.tag == "service_requests"
        assert root.findtext("request/service_request_id") == str(tipoff.pk)
        assert root.find("request/token") is None


@pytest.mark.parametrize(
    ("url", "allow"),
    [
        ("/open311/v2/services.json", "GET, HEAD"),
        ("/open311/v2/services/air-dust.xml", "GET, HEAD"),
        ("/open311/v2/requests.json", "GET, HEAD, POST"),
        ("/open311/v2/requests/1.json", "GET, HEAD"),
        ("/open311/discovery.json", "GET, HEAD"),
        ("/open311/v2/openapi.json", "GET, HEAD"),
    ],
)
def test_a_wrong_method_gets_405_with_allow_in_the_spec_format(client, url, allow):
    response = client.delete(url)
    assert response.status_code == 405
    assert response["Allow"] == allow
    if url.endswith(".xml"):
        assert ElementTree.fromstring(response.content).findtext("error/code") == "405"
    else:
        assert response.json()[0]["code"] == 405


@pytest.mark.parametrize(
    "url",
    [
        "/open311/v2/requests.csv",
        "/open311/v2/services.html",
        "/open311/v2/services/air-dust.csv",
        "/open311/v2/nothing-here",
        "/open311/v3/services.json",
    ],
)
def test_unknown_formats_and_paths_get_a_json_error_not_an_html_page(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body[0]["code"] == 404 and body[0]["description"]


def test_an_unknown_path_ending_in_xml_gets_an_xml_error(client):
    response = client.get("/open311/v2/nothing-here.xml")
    assert response.status_code == 404
    assert ElementTree.fromstring(response.content).findtext("error/code") == "404"


@pytest.mark.parametrize(
    ("language", "other_script"),
    [("en", "[\u4e00-\u9fff]"), ("zh-hans", "[A-Za-z]{4,}")],
)
def test_every_error_message_of_a_request_is_in_one_language(
    client, api_key, subdistrict, language, other_script
):
    """A request that breaks several rules: each message in the request's language."""
    import re

    Category.objects.filter(code="air-dust").update(
        extra_questions=[
            {"key": "time_pattern", "label": "时段", "choices": ["白天", "夜间"], "required": True},
            {"key": "source", "label": "来源", "required": True},
        ]
    )
    response = post_request(
        client,
        api_key,
        subdistrict,
        description="太短",
        headers={"Accept-Language": language},
        **{"attribute[time_pattern]": "凌晨"},
    )
    assert response.status_code == 400
    errors = response.json()
    assert len(errors) == 3  # description, a choice not offered, a required answer missing
    for entry in errors:
        message = entry["description"].split(": ", 1)[1]  # after the parameter's name
        assert not re.search(other_script, message), message
    not_found = client.get(
        "/open311/v2/requests/999.json", headers={"Accept-Language": language}
    ).json()
    assert not re.search(
        other_script, not_found[0]["description"].replace("service_request_id", "")
    )


def test_the_discovery_document_points_to_the_georeport_endpoint(client):
    data = client.get("/open311/discovery.json").json()
    assert data["changeset"] and data["contact"] and data["key_service"]
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    root = ElementTree.fromstring(client.get("/open311/discovery.xml").content)
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_the_openapi_document_is_served_from_the_repository(client):
    from openapi_spec_validator import validate

    import portal.tipoffs.open311 as module

    response = client.get("/open311/v2/openapi.json")
    assert response.status_code == 200
    served = response.json()
    committed = json.loads(Path(module.__file__).with_name("open311_openapi.json").read_text())
    assert served == committed
    assert served["openapi"].startswith("3.1")
    validate(served)


# --- the same validation as the web form -----------------------------------------------------


@pytest.fixture
def strict_category(category):
    category.extra_questions = [
        {"key": "time_pattern", "label": "时段", "choices": ["白天", "夜间"], "required": True}
    ]
    category.save()
    return category


@pytest.mark.parametrize(
    ("description", "answer", "accepted"),
    [
        ("工地夜间扬尘严重影响", "夜间", True),  # 10 characters: the least both accept
        ("工地夜间扬尘严重影", "夜间", False),  # 9 characters
        ("工地夜间扬尘严重，影响周边居民休息", "", False),  # the required question unanswered
        ("工地夜间扬尘严重，影响周边居民休息", "凌晨", False),  # not an offered answer
        ("工" * 5001, "夜间", False),
    ],
    ids=["ten-characters", "nine-characters", "required-missing", "not-a-choice", "too-long"],
)
def test_the_api_and_the_web_form_accept_and_refuse_the_same_reports(
    client, api_key, subdistrict, strict_category, description, answer, accepted
):
    form = client.post(
        NEW,
        form_data(
            strict_category,
            subdistrict,
            description=description,
            **{f"extra_{strict_category.code}_time_pattern": answer},
        ),
    )
    assert (form.status_code == 302) is accepted, form.status_code
    api = post_request(
        client,
        api_key,
        subdistrict,
        description=description,
        **{"attribute[time_pattern]": answer},
    )
    assert (api.status_code == 200) is accepted, api.content
    assert Tipoff.objects.count() == (2 if accepted else 0)


def test_a_missing_required_answer_gets_the_same_message_from_both(
    client, api_key, subdistrict, strict_category
):
    form = client.post(
        NEW,
        form_data(
            strict_category, subdistrict, **{f"extra_{strict_category.code}_time_pattern": ""}
        ),
    )
    api = post_request(
        client,
        api_key,
        subdistrict,
        headers={"Accept-Language": "en"},
        **{"attribute[time_pattern]": ""},
    )
    message = "This question needs an answer."
    assert message in form.content.decode()
    assert api.json() == [{"code": 400, "description": f"attribute[time_pattern]: {message}"}]
