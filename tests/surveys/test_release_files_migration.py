"""Migrations 0005–0007 move release and export files from binary columns to the private
storage: each blob is written, read back and keeps its recorded SHA-256; a blob that does not
match its record stops the migration with nothing written."""

from __future__ import annotations

import hashlib
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from surveys.models import ExportJob, ReleaseFile
from tests.surveys.builders import build_survey

BEFORE = [("surveys", "0005_release_export_files")]
AFTER = [("surveys", "0007_drop_binary_columns")]
MOVE = importlib.import_module("surveys.migrations.0006_move_blobs_to_storage")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_0005(settings, tmp_path):
    """The database just before the blobs move; the private storage a fresh folder. Whatever
    the test does, the database ends fully migrated for the tests after it."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    try:
        yield migrate(BEFORE), root
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def old_release(apps, survey, files: dict[str, tuple[bytes, str]]):
    Release = apps.get_model("surveys", "SurveyRelease")
    OldFile = apps.get_model("surveys", "ReleaseFile")
    release = Release.objects.create(survey_id=survey.pk, version=1, methodology="m")
    return [
        OldFile.objects.create(
            release=release,
            name=name,
            content_type="text/csv",
            content=content,
            sha256=sha256,
            size=len(content),
        ).pk
        for name, (content, sha256) in files.items()
    ]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_release_and_export_blobs_move_to_the_private_storage_with_their_sha256(at_0005):
    apps, root = at_0005
    survey = build_survey()
    responses = b"response_id,Q1\n1,5\n2,4\n"
    pks = old_release(
        apps,
        survey,
        {"responses.csv": (responses, sha(responses)), "margins.csv": (b"", sha(b""))},
    )
    OldJob = apps.get_model("surveys", "ExportJob")
    job = OldJob.objects.create(
        survey_id=survey.pk,
        kind="codebook_csv",
        status="done",
        filename="调查-codebook.csv",
        content=b"variable,label\n",
        sha256=sha(b"variable,label\n"),
        size=15,
    )

    migrate(AFTER)

    for pk, content in zip(pks, (responses, b""), strict=True):
        file = ReleaseFile.objects.get(pk=pk)
        assert file.file.name.startswith(f"surveys/releases/{survey.pk}/")
        assert file.sha256 == sha(content) == sha(file.read())
        assert (root / file.file.name).read_bytes() == content
    moved = ExportJob.objects.get(pk=job.pk)
    assert moved.file.name.startswith(f"surveys/exports/{survey.pk}/{job.pk}-")
    assert moved.file.name.endswith("调查-codebook.csv")
    assert moved.sha256 == sha(b"variable,label\n") == sha((root / moved.file.name).read_bytes())
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), ReleaseFile._meta.db_table
        )
    }
    assert "content" not in columns and "file" in columns


@pytest.mark.django_db(transaction=True)
def test_a_blob_that_does_not_match_its_recorded_sha256_stops_the_migration(at_0005):
    apps, root = at_0005
    survey = build_survey()
    good = b"fine\n"
    pks = old_release(
        apps,
        survey,
        {"a-good.csv": (good, sha(good)), "b-tampered.csv": (b"changed\n", sha(b"original\n"))},
    )
    with pytest.raises(MOVE.StoredFileMismatch, match="b-tampered.csv"):
        migrate(AFTER)
    # Nothing moved: the rows still hold their blobs, and the good file written first is gone.
    OldFile = apps.get_model("surveys", "ReleaseFile")
    assert set(OldFile.objects.filter(file="").values_list("pk", flat=True)) == set(pks)
    assert not [p for p in root.rglob("*") if p.is_file()]
    OldFile.objects.filter(name="b-tampered.csv").delete()  # the operator investigates


@pytest.mark.django_db(transaction=True)
def test_the_move_can_be_reversed_into_the_columns(at_0005):
    apps, _root = at_0005
    survey = build_survey()
    content = b"weights\n"
    (pk,) = old_release(apps, survey, {"weights.csv": (content, sha(content))})
    migrate(AFTER)
    old_apps = migrate(BEFORE)
    back = old_apps.get_model("surveys", "ReleaseFile").objects.get(pk=pk)
    assert bytes(back.content) == content and back.file == ""
