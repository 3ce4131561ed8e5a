"""Bad input from outside never becomes a 500: Open311 answers 4xx in the spec's format with a
reason, public and staff pages answer 404 or a message, and nothing is half-saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.tipoffs.models import EventKind, Open311Client, State, Tipoff
from tests.factories import PASSWORD
from tests.tipoffs.test_bulk_assign import bulk_assign_url
from tests.tipoffs.test_open311 import post_request

pytestmark = pytest.mark.django_db

HUGE = "9" * 25  # bigger than any database integer


@pytest.fixture
def api_key(db):
    return Open311Client.objects.create(name="12345 平台").api_key


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_malformed_open311_token_is_not_found_in_the_spec_format(client, fmt):
    response = client.get(f"/open311/v2/tokens/abc.{fmt}")
    assert response.status_code == 404
    assert b"token" in response.content and b"404" in response.content


def test_open311_ids_beyond_the_integer_range_find_nothing(client, case_in):
    case_in(State.ACCEPTED)
    listed = client.get("/open311/v2/requests.json", {"service_request_id": f"{HUGE},x"})
    assert listed.status_code == 200 and listed.json() == []
    one = client.get(f"/open311/v2/requests/{HUGE}.json")
    assert one.status_code == 404 and one.json()[0]["code"] == 404


@pytest.mark.parametrize(
    "change",
    [
        {"lat": "NaN", "long": "NaN"},
        {"lat": "Infinity", "long": "101.7"},
        {"lat": "1e99999", "long": "101.7"},
        {"description": "工地夜间\x00扬尘严重"},
        {"address_string": "攀枝花大道\x00东段"},
        {"email": "a" * 300 + "@example.org"},
    ],
    ids=["nan", "infinity", "huge-exponent", "nul-description", "nul-address", "long-email"],
)
def test_open311_refuses_unstorable_values_with_a_reason(client, api_key, subdistrict, change):
    response = post_request(client, api_key, subdistrict, **change)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400 and response.json()[0]["description"]
    assert not Tipoff.objects.exists()


def test_a_nul_in_an_open311_query_is_refused(client):
    response = client.get("/open311/v2/requests.json", {"service_code": "air\x00"})
    assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_public_case_filters_beyond_the_integer_range_show_the_unfiltered_list(client, case_in):
    case_in(State.RESOLVED)
    response = client.get("/en/tipoffs/cases", {"category": HUGE, "subdistrict": HUGE})
    assert response.status_code == 200
    assert "责令停工整改" in response.content.decode()


@pytest.mark.parametrize("offer", ["abc", HUGE, "", "x" * 5000, "a:b:c"])
def test_following_with_a_malformed_offer_is_refused_with_a_message(client, submit, offer):
    tipoff = submit()
    session = client.session
    session["tipoffs_tracking"] = [tipoff.pk]
    session.save()
    response = client.post(f"/en/tipoffs/new/{tipoff.pk}/follow", {"offer": offer})
    assert response.status_code == 400
    assert "not valid or has expired" in response.content.decode()
    assert Tipoff.objects.get(pk=tipoff.pk).state == State.SUBMITTED


def test_bulk_assign_never_redirects_to_another_site(client, intake, submit, dept_a):
    tipoff = submit()
    login(client, intake)
    url = bulk_assign_url(HUGE, tipoff.pk, "x", next="https://evil.example/")
    response = client.post(url, {"departments": [dept_a.pk]})
    assert response.status_code == 302
    assert response["Location"] == reverse("tipoffs_admin:index")
    assert Tipoff.objects.get(pk=tipoff.pk).state == State.ASSIGNED
    queue = reverse("tipoffs_admin:index") + "?queue=new"
    response = client.post(bulk_assign_url(tipoff.pk, next=queue), {"departments": [dept_a.pk]})
    assert response["Location"] == queue


@pytest.mark.parametrize(
    "data",
    [
        {"action": "approve_photo", "photo": "abc", "approved": "1"},
        {"action": "merge", "master": HUGE},
        {"action": "not_accept", "reason": "litigation", "master": HUGE},
    ],
    ids=["photo-id", "merge-master", "not-accept-master"],
)
def test_malformed_numbers_on_the_case_page_change_nothing(client, intake, submit, data):
    tipoff = submit()
    events = tipoff.events.count()
    login(client, intake)
    response = client.post(reverse("tipoffs_admin:case", args=[tipoff.pk]), data)
    assert response.status_code in (200, 404)
    tipoff.refresh_from_db()
    assert tipoff.state == State.SUBMITTED and tipoff.events.count() == events
    assert not tipoff.events.filter(kind=EventKind.PHOTO_APPROVED).exists()


def test_open311_xml_stays_well_formed_with_control_characters_in_the_text(
    client, case_in, handler_a
):
    """Staff text (measures typed in the admin) reaches status_notes; XML 1.0 cannot carry \\x0b."""
    from defusedxml import ElementTree

    from portal.tipoffs import workflow

    tipoff = case_in(State.INVESTIGATING)
    workflow.tipoff_resolve(
        tipoff=tipoff,
        actor=handler_a,
        finding="true",
        measures="责令\x0b停工\x1f整改",
        public_reply="已整改。",
    )
    # Filed at T0: ask from a date before it (the default window is the last 90 days).
    response = client.get("/open311/v2/requests.xml", {"start_date": "2026-01-01T00:00:00+08:00"})
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # raises on characters XML cannot carry
    assert "责令停工整改" in root.find("request/status_notes").text


@pytest.mark.parametrize(
    "params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}], ids=["year-9999", "year-1"]
)
def test_queue_dates_at_the_ends_of_the_calendar_are_refused_with_a_message(
    client, intake, submit, params
):
    submit()
    login(client, intake)
    response = client.get(reverse("tipoffs_admin:index"), params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a date between 2000-01-01 and 2100-12-31" in page or "请选择" in page
    assert "JB" in page  # the queue still lists the report, unfiltered


@pytest.mark.parametrize("param", ["start_date", "end_date"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "9999-12-31T23:59:59"])
def test_open311_dates_at_the_ends_of_the_calendar_are_a_400(client, param, value):
    response = client.get("/open311/v2/requests.json", {param: value})
    assert response.status_code == 400 and response.json()[0]["code"] == 400
