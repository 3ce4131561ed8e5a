"""The public case list and the Open311 request list show the same reports (issue 12): answered
ones left "published as a case". One selector, ``selectors.public_cases``, serves both."""

from __future__ import annotations

import pytest

from portal.tipoffs import selectors
from portal.tipoffs.models import State, Tipoff

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(case_in):
    """One report in each situation; each answered one with its own measures, to find it."""
    made = {
        "published": case_in(State.RESOLVED),
        "published_closed": case_in(State.CLOSED),
        "unpublished": case_in(State.RESOLVED),
        "open": case_in(State.ASSIGNED),
        "undecided": case_in(State.SUBMITTED),
        "not_accepted": case_in(State.NOT_ACCEPTED),
        "merged": case_in(State.MERGED),
        "under_review": case_in(State.REOPENED),
    }
    for name, tipoff in made.items():
        Tipoff.objects.filter(pk=tipoff.pk).update(measures=f"整改措施-{name}")
    # An intake officer unticks "published as a case".
    Tipoff.objects.filter(pk=made["unpublished"].pk).update(is_public=False)
    return made


def test_open311_lists_exactly_the_public_case_list(client, cases):
    # The reports were filed at T0; without a start date the list covers the last 90 days only.
    since = {"start_date": "2026-01-01T00:00:00+08:00"}
    listed = {
        r["service_request_id"] for r in client.get("/open311/v2/requests.json", since).json()
    }
    public = {str(pk) for pk in selectors.public_cases().values_list("pk", flat=True)}
    expected = {str(cases["published"].pk), str(cases["published_closed"].pk)}
    assert listed == public == expected

    page = client.get("/en/tipoffs/cases").content.decode()
    for name in cases:
        assert (f"整改措施-{name}" in page) == (name in ("published", "published_closed")), name


@pytest.mark.parametrize(
    "name", ["unpublished", "open", "undecided", "not_accepted", "merged", "under_review"]
)
def test_open311_does_not_find_a_report_the_case_list_hides(client, cases, name):
    pk = cases[name].pk
    assert client.get(f"/open311/v2/requests/{pk}.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"service_request_id": str(pk)}).json() == []
    xml = client.get("/open311/v2/requests.xml", {"service_request_id": str(pk)}).content
    assert b"<request>" not in xml


def test_unticking_published_hides_an_answered_report_from_both(client, cases):
    tipoff = cases["published"]
    assert client.get(f"/open311/v2/requests/{tipoff.pk}.json").status_code == 200
    Tipoff.objects.filter(pk=tipoff.pk).update(is_public=False)
    assert client.get(f"/open311/v2/requests/{tipoff.pk}.json").status_code == 404
    assert "整改措施-published<" not in client.get("/en/tipoffs/cases").content.decode()
    assert tipoff.pk not in selectors.public_cases().values_list("pk", flat=True)
