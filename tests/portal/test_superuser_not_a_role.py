"""Superuser is not a role (issue 12, part 3).

A superuser runs the site (pages, users, settings) but gets none of the guarded work from that
status alone: seeing who reported, downloading original evidence photos (they keep GPS), deciding
cases, the analyst's raw data and dashboards, processing disclosure requests. Those need the
role's group or the permission granted explicitly to the account or one of its groups.
"""

# The tip-off fixtures are imported from tests/tipoffs/conftest.py and requested by name.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import roles
from portal.phones import format_phone, normalize_phone
from portal.tipoffs import selectors, workflow
from portal.tipoffs.models import IdentityAccessLog, State
from tests.factories import UserFactory
from tests.surveys.builders import build_survey
from tests.tipoffs.conftest import (  # noqa: F401 - pytest fixtures used by name below
    _calendar_2027,
    _private_storage_in_memory,
    case_in,
    category,
    dept_a,
    handler_a,
    intake,
    jpeg_bytes,
    subdistrict,
    submit,
)

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    """403, or Wagtail's redirect to the dashboard that stands for PermissionDenied."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


@pytest.fixture
def root():
    """A superuser in no group: the technical administrator account."""
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def site_admin():
    """Like the demo's admin: superuser and member of the administrators' group."""
    return UserFactory(
        username="siteadmin", is_superuser=True, is_staff=True, roles=[roles.ADMINISTRATOR]
    )


def test_has_role_and_explicit_permissions_ignore_superuser_status(root, intake):
    assert root.has_perm("tipoffs.view_reporter_identity")  # what Django says …
    assert not roles.has_role(root, roles.INTAKE_OFFICER)  # … and what the portal asks
    assert not roles.user_has_explicit_perm(root, "tipoffs.view_reporter_identity")
    assert roles.has_role(intake, roles.INTAKE_OFFICER)
    assert roles.user_has_explicit_perm(intake, "tipoffs.view_reporter_identity")
    root.user_permissions.add(Permission.objects.get(codename="view_reporter_identity"))
    fresh = type(root).objects.get(pk=root.pk)
    assert roles.user_has_explicit_perm(fresh, "tipoffs.view_reporter_identity")
    fresh.is_active = False
    assert not roles.user_has_explicit_perm(fresh, "tipoffs.view_reporter_identity")


@pytest.mark.parametrize("who", ["root", "site_admin"])
def test_a_superuser_outside_intake_may_not_reveal_the_reporter(request, client, who, case_in):
    user = request.getfixturevalue(who)
    tipoff = case_in(State.ASSIGNED)
    client.force_login(user)
    url = reverse("tipoffs_admin:case", args=[tipoff.pk])
    response = client.post(url, {"action": "show_identity"})
    assert refused(response)
    assert "13912345678" not in response.content.decode()
    assert not IdentityAccessLog.objects.exists()
    assert not selectors.can_view_identity(user)


@pytest.mark.parametrize("who", ["root", "site_admin"])
def test_a_superuser_outside_intake_may_not_download_an_original_photo(
    request, client, who, submit
):
    from portal.tipoffs.photos import process_upload

    tipoff = submit(photos=[process_upload(SimpleUploadedFile("a.jpg", jpeg_bytes()))])
    photo = tipoff.photos.get()
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("tipoffs_admin:original_photo", args=[photo.pk]))
    assert refused(response)
    assert not IdentityAccessLog.objects.exists()


@pytest.mark.parametrize("who", ["root", "site_admin"])
def test_a_superuser_outside_intake_may_not_accept_a_report(request, client, who, submit):
    tipoff = submit()
    user = request.getfixturevalue(who)
    client.force_login(user)
    url = reverse("tipoffs_admin:case", args=[tipoff.pk])
    response = client.post(url, {"action": "accept", "note": ""})
    assert refused(response)
    tipoff.refresh_from_db()
    assert tipoff.state == State.SUBMITTED
    assert workflow.allowed_actions(user, tipoff) == []
    with pytest.raises(workflow.TransitionForbidden):
        workflow.tipoff_accept(tipoff=tipoff, actor=user)


def test_a_superuser_is_no_department_handler(root, case_in):
    tipoff = case_in(State.ASSIGNED)
    assert not workflow.is_handler_for(root, tipoff)
    with pytest.raises(workflow.TransitionForbidden):
        workflow.tipoff_start_investigation(tipoff=tipoff, actor=root)


def test_a_bare_superuser_sees_no_case_queue(client, root, case_in):
    case_in(State.ASSIGNED)
    client.force_login(root)
    assert refused(client.get(reverse("tipoffs_admin:index")))
    assert not selectors.tipoffs_for_user(user=root).exists()


def test_the_intake_group_or_the_explicit_permission_allows_it(client, root, submit):
    """The same superuser, once in the intake group, may do all of it."""
    tipoff = submit()
    root.groups.add(Group.objects.get(name=roles.INTAKE_OFFICER))
    client.force_login(root)
    url = reverse("tipoffs_admin:case", args=[tipoff.pk])
    body = client.post(url, {"action": "show_identity"}).content.decode()
    assert format_phone(normalize_phone("13912345678")) in body
    assert client.post(url, {"action": "accept", "note": ""}).status_code == 302
    tipoff.refresh_from_db()
    assert tipoff.state == State.ACCEPTED


def test_the_site_administrator_still_runs_the_site(client, site_admin):
    client.force_login(site_admin)
    for name in ("wagtailadmin_home", "wagtailusers_users:index", "wagtailusers_groups:index"):
        assert client.get(reverse(name)).status_code == 200, name
    # The administrators' group keeps what it was given explicitly: the case list (no identity).
    assert client.get(reverse("tipoffs_admin:index")).status_code == 200


# --- analysts ------------------------------------------------------------------------------------


def test_a_superuser_outside_the_analysts_may_not_open_raw_data_or_dashboards(client, root):
    from surveys import selectors as survey_selectors

    survey = build_survey()
    client.force_login(root)
    for url in (
        reverse("surveys_admin:index"),
        reverse("surveys_admin:fieldwork", args=[survey.pk]),
        reverse("surveys_admin:dashboard", args=[survey.pk]),
        reverse("surveys_admin:exports", args=[survey.pk]),
        reverse("surveys_admin:releases", args=[survey.pk]),
        reverse("surveys_admin:tokens", args=[survey.pk]),
    ):
        assert refused(client.get(url)), url
    assert not survey_selectors.can_view_responses(root)
    assert not survey_selectors.can_manage_fieldwork(root)


def test_an_analyst_may(client):
    survey = build_survey()
    client.force_login(UserFactory(username="ana", roles=[roles.ANALYST]))
    for url in (
        reverse("surveys_admin:fieldwork", args=[survey.pk]),
        reverse("surveys_admin:dashboard", args=[survey.pk]),
        reverse("surveys_admin:releases", args=[survey.pk]),
    ):
        assert client.get(url).status_code == 200, url


# --- disclosure officers -------------------------------------------------------------------------


def _disclosure_request():
    import datetime as dt
    import uuid

    from disclosure import workflow as disclosure_workflow

    request, _created = disclosure_workflow.request_submit(
        data={
            "applicant_type": "person",
            "applicant_name": "申请人",
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
            "email": "a@example.org",
            "description": "请公开……",
            "delivery": "email",
        },
        submission_token=uuid.uuid4(),
        on_date=dt.date(2025, 9, 25),
    )
    return request


def test_a_superuser_outside_the_officers_may_not_process_disclosure_requests(client, root):
    from disclosure import selectors as disclosure_selectors

    application = _disclosure_request()
    client.force_login(root)
    assert refused(client.get(reverse("disclosure_admin:queue")))
    response = client.get(reverse("disclosure_admin:detail", args=[application.pk]))
    assert refused(response)
    assert "11010519491231002X" not in response.content.decode()
    assert not disclosure_selectors.can_process_requests(root)


def test_a_disclosure_officer_may(client):
    application = _disclosure_request()
    client.force_login(UserFactory(username="officer", roles=[roles.DISCLOSURE_OFFICER]))
    assert client.get(reverse("disclosure_admin:queue")).status_code == 200
    detail = client.get(reverse("disclosure_admin:detail", args=[application.pk]))
    assert detail.status_code == 200


def test_an_explicit_permission_on_the_account_is_enough(client, root):
    application = _disclosure_request()
    root.user_permissions.add(Permission.objects.get(codename="process_disclosurerequest"))
    client.force_login(root)
    assert client.get(reverse("disclosure_admin:detail", args=[application.pk])).status_code == 200
