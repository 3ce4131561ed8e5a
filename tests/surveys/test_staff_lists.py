"""The survey staff lists as Wagtail IndexViews: fieldwork progress per survey and a survey's
releases (filters, exports of counts only, who may open them) and the fieldwork page's action
panel asked of the survey policies."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from portal import roles
from portal.models import Subdistrict
from surveys.models import QuotaCell, Response, Survey
from surveys.releases import release_publish
from tests.factories import UserFactory
from tests.surveys.analysis_fixtures import reference_survey
from tests.surveys.builders import build_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return UserFactory(username="analyst", roles=[roles.ANALYST])


@pytest.fixture
def no_exports(monkeypatch):
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


def listed(response) -> list[str]:
    return [str(obj) for obj in response.context["object_list"]]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_fieldwork_list_filters_and_shows_quota_progress(client, analyst):
    open_survey = build_survey(slug="open-2025")
    QuotaCell.objects.create(
        survey=open_survey, subdistrict=Subdistrict.objects.get(code="donghua"), target=4
    )
    build_survey(slug="draft-2024", title="旧调查", year=2024, status=Survey.Status.DRAFT)
    client.force_login(analyst)
    url = reverse("surveys_admin:index")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "测试调查" in html and "旧调查" in html
    assert "0 / 4 (0%)" in html  # quota progress
    assert [s.slug for s in client.get(url, {"status": "draft"}).context["object_list"]] == [
        "draft-2024"
    ]
    assert [s.slug for s in client.get(url, {"year": "2025"}).context["object_list"]] == [
        "open-2025"
    ]
    results = client.get(reverse("surveys_admin:index_results"), {"status": "open"})
    assert [s.slug for s in results.context["object_list"]] == ["open-2025"]


def test_fieldwork_export_has_counts_only(client, analyst):
    survey = build_survey()
    QuotaCell.objects.create(
        survey=survey, subdistrict=Subdistrict.objects.get(code="donghua"), target=4
    )
    client.force_login(analyst)
    rows = csv_rows(client.get(reverse("surveys_admin:index"), {"export": "csv"}))
    assert len(rows) == 2
    heading, row = rows
    assert len(heading) == 9
    assert row[0] == "测试调查" and row[5] == "0" and row[6:8] == ["0", "4"]
    assert not Response.objects.exists()  # nothing about respondents could be in it


def test_release_list_filters_and_exports_what_was_published(client, analyst, no_exports):
    survey = reference_survey()
    release_publish(survey=survey, actor=analyst)
    release_publish(survey=survey, actor=analyst)
    client.force_login(analyst)
    url = reverse("surveys_admin:releases", args=[survey.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert [r.version for r in page.context["object_list"]] == [2, 1]
    html = page.content.decode()
    assert reverse("surveys_admin:release", args=[survey.pk, 2]) in html
    assert 'data-testid="release-actions"' in html  # the analyst may publish
    assert client.get(url, {"published_to": "2000-01-01"}).context["object_list"].count() == 0
    rows = csv_rows(client.get(url, {"export": "csv"}))
    assert [r[1] for r in rows[1:]] == ["v2", "v1"]
    statuses = [r[-1] for r in rows[1:]]
    assert statuses[0] != statuses[1]  # the latest is the current one
    results = client.get(reverse("surveys_admin:releases_results", args=[survey.pk]))
    assert results.status_code == 200 and len(results.context["object_list"]) == 2


@pytest.mark.parametrize(
    "role", [None, roles.EDITOR, roles.DEPARTMENT_HANDLER, roles.DISCLOSURE_OFFICER]
)
def test_who_may_not_open_or_export_the_survey_lists(client, role):
    survey = build_survey()
    client.force_login(UserFactory(username="bob", roles=[role] if role else []))
    for url in (
        reverse("surveys_admin:index"),
        reverse("surveys_admin:index") + "?export=csv",
        reverse("surveys_admin:index_results"),
        reverse("surveys_admin:releases", args=[survey.pk]),
        reverse("surveys_admin:releases", args=[survey.pk]) + "?export=xlsx",
        reverse("surveys_admin:releases_results", args=[survey.pk]),
    ):
        assert client.get(url).status_code in (302, 403), url


def test_the_fieldwork_action_panel_asks_the_policies(client, analyst):
    survey = build_survey(respondent_mode=Survey.Mode.TOKEN)
    client.force_login(analyst)
    page = client.get(reverse("surveys_admin:fieldwork", args=[survey.pk]))
    keys = [a["key"] for a in page.context["actions"]]
    assert {"dashboard", "exports", "releases", "margins", "tokens", "import"} <= set(keys)
    # A user who may read responses but not manage fieldwork sees no changing action.
    reader = UserFactory(username="reader")
    from django.contrib.auth.models import Permission

    reader.user_permissions.add(Permission.objects.get(codename="view_responses"))
    reader.is_staff = True
    reader.save()
    admin_access = Permission.objects.get(codename="access_admin")
    reader.user_permissions.add(admin_access)
    client.force_login(reader)
    page = client.get(reverse("surveys_admin:fieldwork", args=[survey.pk]))
    assert page.status_code == 200
    keys = [a["key"] for a in page.context["actions"]]
    assert "dashboard" in keys
    assert not {"margins", "tokens", "import", "edit"} & set(keys)
