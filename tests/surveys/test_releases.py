"""Frozen releases: versions, immutability, SHA-256 of files, failed runs, permissions."""

import hashlib
import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from portal import roles
from surveys.analysis import AnalysisError
from surveys.models import ImmutableError, ReleaseFile, Response, SurveyRelease
from surveys.releases import release_publish
from tests.factories import UserFactory
from tests.surveys.analysis_fixtures import reference_survey

pytestmark = pytest.mark.django_db

CORE_FILES = {
    "responses.csv",
    "margins.csv",
    "settings.json",
    "weights.csv",
    "results.json",
    "methodology.md",
}


@pytest.fixture
def no_exports(monkeypatch):
    """Releases without the bureau's export files (those are tested with the exports)."""
    from surveys import exports

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {})


@pytest.fixture
def analyst():
    return UserFactory(username="analyst", roles=[roles.ANALYST])


@pytest.fixture
def survey():
    return reference_survey()


def test_publish_freezes_files_with_their_sha256_and_headline_values(survey, analyst, no_exports):
    release = release_publish(survey=survey, actor=analyst)
    assert release.version == 1 and release.label == "v1"
    assert release.published_by == analyst
    files = {f.name: f for f in ReleaseFile.objects.filter(release=release)}
    assert set(files) == CORE_FILES
    for file in files.values():
        content = file.read()
        assert file.sha256 == hashlib.sha256(content).hexdigest()
        assert file.size == len(content) > 0
    results = json.loads(files["results.json"].read())
    rate = results["rates"]["satisfied"]["rate"]
    assert release.results["rates"]["satisfied"]["rate"] == pytest.approx(rate)
    assert float(release.satisfaction) == pytest.approx(round(100 * rate, 1))
    assert release.participation is not None
    weights = files["weights.csv"].read().decode().splitlines()
    assert weights[0] == "respondent_id,weight" and len(weights) == 401
    assert sum(float(line.split(",")[1]) for line in weights[1:]) == pytest.approx(400)
    assert files["margins.csv"].read().startswith(b"variable,category,value\n")
    assert "responses.csv" in files and b"satisfied" in files["responses.csv"].read()
    assert "raking" in release.methodology or "Raking" in release.methodology


def test_publish_includes_the_export_files_when_exports_exist(survey, analyst):
    from surveys import exports

    release = release_publish(survey=survey, actor=analyst)
    names = set(release.files.values_list("name", flat=True))
    assert names >= CORE_FILES
    assert len(names) == len(CORE_FILES) + len(exports.EXPORT_BUILDERS)
    for file in release.files.all():
        assert file.sha256 == hashlib.sha256(file.read()).hexdigest()


def test_publishing_again_makes_a_new_version_and_leaves_the_first_unchanged(
    survey, analyst, no_exports
):
    first = release_publish(survey=survey, actor=analyst)
    before = {f.name: f.sha256 for f in first.files.all()}
    Response.objects.filter(survey=survey).order_by("pk").first().delete()
    second = release_publish(survey=survey, actor=analyst, trim_cap=3)
    assert second.version == 2
    first.refresh_from_db()
    assert {f.name: f.sha256 for f in first.files.all()} == before
    assert first.results["n"] == 400 and second.results["n"] == 399
    assert second.settings["trim_cap"] == 3


def test_releases_refuse_edits_and_deletion(survey, analyst, no_exports):
    release = release_publish(survey=survey, actor=analyst)
    release.methodology = "changed"
    with pytest.raises(ImmutableError):
        release.save()
    with pytest.raises(ImmutableError):
        release.delete()
    with pytest.raises(ImmutableError):
        SurveyRelease.objects.filter(pk=release.pk).update(methodology="changed")
    with pytest.raises(ImmutableError):
        SurveyRelease.objects.filter(pk=release.pk).delete()
    file = release.files.first()
    file.sha256 = "0" * 64
    with pytest.raises(ImmutableError):
        file.save()
    with pytest.raises(ImmutableError):
        release.files.all().delete()
    release.refresh_from_db()
    assert release.methodology != "changed"


def test_one_version_per_survey_is_enforced_by_the_database(survey, analyst, no_exports):
    release_publish(survey=survey, actor=analyst)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyRelease.objects.create(survey=survey, version=1, methodology="x")


def test_a_failed_run_creates_no_release(analyst, no_exports):
    survey = reference_survey(with_margins=False)
    with pytest.raises(AnalysisError):
        release_publish(survey=survey, actor=analyst)
    assert not SurveyRelease.objects.exists() and not ReleaseFile.objects.exists()


def test_a_failing_export_creates_no_release(survey, analyst, monkeypatch):
    from surveys import exports

    class Broken:
        def filename(self, survey):
            return "broken.xlsx"

        def build(self, analysis):
            raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "EXPORT_BUILDERS", {"broken": Broken()})
    with pytest.raises(AnalysisError) as excinfo:
        release_publish(survey=survey, actor=analyst)
    assert "broken" in str(excinfo.value)
    assert not SurveyRelease.objects.exists()


def test_analyst_publishes_in_the_admin_and_downloads_files(client, survey, analyst, no_exports):
    client.force_login(analyst)
    url = reverse("surveys_admin:release_publish", args=[survey.pk])
    assert client.get(url).status_code == 200
    page = client.post(url, {})  # the confirmation box is required
    assert page.status_code == 400 and not SurveyRelease.objects.exists()
    page = client.post(url, {"confirm": "on"})
    release = SurveyRelease.objects.get(survey=survey)
    assert page.status_code == 302
    assert page["Location"] == reverse("surveys_admin:release", args=[survey.pk, 1])
    detail = client.get(page["Location"]).content.decode()
    file = release.files.get(name="weights.csv")
    assert file.sha256 in detail
    listing = client.get(reverse("surveys_admin:releases", args=[survey.pk])).content.decode()
    assert "v1" in listing
    download = client.get(reverse("surveys_admin:release_file", args=[survey.pk, 1, "weights.csv"]))
    assert download.status_code == 200
    assert hashlib.sha256(download.getvalue()).hexdigest() == file.sha256
    assert "attachment" in download["Content-Disposition"]
    missing = client.get(reverse("surveys_admin:release_file", args=[survey.pk, 1, "nope.csv"]))
    assert missing.status_code == 404


def test_failed_publish_in_the_admin_shows_the_cause(client, analyst, no_exports):
    survey = reference_survey(with_margins=False)
    client.force_login(analyst)
    page = client.post(
        reverse("surveys_admin:release_publish", args=[survey.pk]), {"confirm": "on"}
    )
    assert page.status_code == 400
    assert survey.title in page.content.decode()
    assert not SurveyRelease.objects.exists()


@pytest.mark.parametrize("role", [None, roles.EDITOR, roles.DEPARTMENT_HANDLER])
def test_residents_and_editors_cannot_see_publish_or_download(client, survey, role, no_exports):
    release_publish(survey=survey, actor=None)
    client.force_login(UserFactory(username="mallory", roles=[role] if role else []))
    for url in (
        reverse("surveys_admin:releases", args=[survey.pk]),
        reverse("surveys_admin:release", args=[survey.pk, 1]),
        reverse("surveys_admin:release_file", args=[survey.pk, 1, "responses.csv"]),
        reverse("surveys_admin:release_publish", args=[survey.pk]),
    ):
        assert client.get(url).status_code in (302, 403), url
    page = client.post(
        reverse("surveys_admin:release_publish", args=[survey.pk]), {"confirm": "on"}
    )
    assert page.status_code in (302, 403)
    assert SurveyRelease.objects.count() == 1


def test_anonymous_users_are_sent_to_the_login(client, survey):
    page = client.get(reverse("surveys_admin:releases", args=[survey.pk]))
    assert page.status_code == 302 and "login" in page["Location"]


def test_a_release_can_be_recomputed_from_its_own_files(survey, analyst, no_exports, tmp_path):
    import io

    from django.core.management import call_command

    release = release_publish(survey=survey, actor=analyst)
    for name in ("responses.csv", "margins.csv"):
        (tmp_path / name).write_bytes(release.files.get(name=name).read())
    out = io.StringIO()
    call_command(
        "survey_weigh",
        "--responses",
        str(tmp_path / "responses.csv"),
        "--margins",
        str(tmp_path / "margins.csv"),
        "--id-column",
        "response_id",
        "--rate",
        "satisfied=satisfied:1.0",
        "--by",
        "subdistrict,sex,age_group",
        stdout=out,
    )
    recomputed = json.loads(out.getvalue())
    frozen = release.results
    assert_same(recomputed["rates"]["satisfied"], frozen["rates"]["satisfied"])
    assert_same(
        recomputed["breakdowns"]["sex"]["male"]["satisfied"],
        frozen["breakdowns"]["sex"]["male"]["satisfied"],
    )


def assert_same(ours: dict, theirs: dict) -> None:
    """Numbers approximately equal; the presentation decision and its flags identical."""
    words = ("presentation", "flags")
    assert {k: ours[k] for k in words} == {k: theirs[k] for k in words}
    assert {k: v for k, v in ours.items() if k not in words} == pytest.approx(
        {k: v for k, v in theirs.items() if k not in words}
    )
