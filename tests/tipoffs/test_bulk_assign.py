"""The case queue's bulk action "Accept and assign" (a Wagtail ``BulkAction``).

Each ticked report goes through the transition core on its own: the ones that may be assigned
are, the others are named with the reason they were refused; only intake officers reach it.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from portal.tipoffs.models import EventKind, State, Tipoff
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def bulk_assign_url(*ids, next=None) -> str:
    query = [("id", i) for i in ids]
    if next is not None:
        query.append(("next", next))
    return reverse("wagtail_bulk_action", args=["tipoffs", "tipoff", "assign"]) + (
        "?" + urlencode(query) if query else ""
    )


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def refused(response) -> bool:
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_queue_shows_bulk_checkboxes_and_the_action_to_intake_only(
    client, intake, handler_a, case_in
):
    case = case_in(State.ASSIGNED)
    login(client, intake)
    html = client.get(reverse("tipoffs_admin:index")).content.decode()
    assert "data-bulk-action-checkbox" in html
    assert f'data-object-id="{case.pk}"' in html
    assert bulk_assign_url() in html  # the footer's button
    assert f'id="tipoff_{case.pk}_title"' in html  # the checkbox's accessible name
    login(client, handler_a)
    html = client.get(reverse("tipoffs_admin:index")).content.decode()
    assert "data-bulk-action-checkbox" not in html
    assert bulk_assign_url() not in html


def test_confirmation_lists_the_assignable_and_the_refused_reports(client, intake, case_in):
    new, resolved = case_in(State.SUBMITTED), case_in(State.RESOLVED)
    login(client, intake)
    response = client.get(bulk_assign_url(new.pk, resolved.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assigned_part = html.split('data-testid="bulk-assign-items"')[1].split("</ul>")[0]
    refused_part = html.split('data-testid="bulk-assign-refused"')[1].split("</ul>")[0]
    assert new.reference in assigned_part and resolved.reference not in assigned_part
    assert resolved.reference in refused_part
    assert 'name="departments"' in html


def test_each_case_is_assigned_or_refused_on_its_own(client, intake, case_in, dept_a, dept_b):
    new = case_in(State.SUBMITTED)
    accepted = case_in(State.ACCEPTED)
    resolved = case_in(State.RESOLVED)
    login(client, intake)
    queue = reverse("tipoffs_admin:index") + "?queue=all"
    response = client.post(
        bulk_assign_url(new.pk, accepted.pk, resolved.pk, next=queue),
        {"departments": [dept_b.pk]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == queue
    for case in (new, accepted):
        case.refresh_from_db()
        assert case.state == State.ASSIGNED
        assert list(case.assignments.values_list("department", flat=True)) == [dept_b.pk]
        assert case.events.filter(kind=EventKind.ASSIGNED).exists()
    assert new.events.filter(kind=EventKind.ACCEPTED).exists()  # accepted first
    resolved.refresh_from_db()
    assert resolved.state == State.RESOLVED
    texts = messages_of(response)
    assert any("2" in t for t in texts if resolved.reference not in t)
    assert [t for t in texts if t.startswith(resolved.reference)], texts


def test_without_departments_the_form_says_so_and_nothing_changes(client, intake, submit):
    case = submit()
    login(client, intake)
    response = client.post(bulk_assign_url(case.pk), {})
    assert response.status_code == 200
    assert response.context["form"].errors["departments"]
    assert Tipoff.objects.get(pk=case.pk).state == State.SUBMITTED


def test_bad_ids_are_ignored(client, intake, submit, dept_a):
    case = submit()
    login(client, intake)
    client.post(bulk_assign_url("abc", "9" * 40, case.pk), {"departments": [dept_a.pk]})
    assert Tipoff.objects.get(pk=case.pk).state == State.ASSIGNED


@pytest.mark.parametrize(
    "persona", ["handler_a", "handler_b", "editor", "analyst", "administrator", "resident"]
)
def test_only_intake_may_bulk_assign(client, request, persona, submit, dept_a):
    case = submit()
    login(client, request.getfixturevalue(persona))
    assert refused(client.get(bulk_assign_url(case.pk)))
    assert refused(client.post(bulk_assign_url(case.pk), {"departments": [dept_a.pk]}))
    assert Tipoff.objects.get(pk=case.pk).state == State.SUBMITTED


def test_anonymous_is_sent_to_sign_in(client, submit, dept_a):
    case = submit()
    response = client.post(bulk_assign_url(case.pk), {"departments": [dept_a.pk]})
    assert response.status_code == 302 and "login" in response["Location"]
    assert Tipoff.objects.get(pk=case.pk).state == State.SUBMITTED


def test_a_case_whose_deadline_cannot_be_computed_is_named_not_a_server_error(
    client, intake, submit, dept_a, monkeypatch
):
    from portal.tipoffs import workflow
    from portal.workdays import WorkdayCalendarUnknown

    case = submit()

    def unknown(**kwargs):
        raise WorkdayCalendarUnknown(2099)

    monkeypatch.setattr(workflow, "tipoff_assign", unknown)
    login(client, intake)
    response = client.post(bulk_assign_url(case.pk), {"departments": [dept_a.pk]}, follow=True)
    assert response.status_code == 200
    assert any(t.startswith(case.reference) for t in messages_of(response))
