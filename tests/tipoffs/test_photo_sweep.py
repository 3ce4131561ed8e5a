"""Photo files left by a rolled-back report are swept; files of stored reports never are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from portal.storage import walk
from portal.tipoffs.photos import PHOTO_FOLDERS, process_upload, sweep_orphan_photos
from portal.tipoffs.storage import evidence_storage
from tests.tipoffs.conftest import jpeg_bytes


def photo():
    return process_upload(SimpleUploadedFile("a.jpg", jpeg_bytes()))


def stored_files() -> set[str]:
    storage = evidence_storage()
    return {name for folder in PHOTO_FOLDERS for name in walk(storage, folder)}


class Boom(Exception):
    pass


@pytest.mark.django_db
def test_files_of_a_rolled_back_report_are_swept_and_kept_reports_are_untouched(submit):
    kept = submit(photos=[photo()])
    kept_files = {p.original.name for p in kept.photos.all()} | {
        p.cleaned.name for p in kept.photos.all()
    }
    with pytest.raises(Boom), transaction.atomic():
        submit(photos=[photo(), photo()])
        raise Boom  # e.g. a later step of the request failed
    assert len(stored_files()) == 6  # 2 files per photo: 1 kept photo, 2 orphaned

    # Young orphans are left alone: their report may still be committing.
    assert sweep_orphan_photos() == 0
    assert sweep_orphan_photos(older_than=dt.timedelta(0), dry_run=True) == 4
    assert len(stored_files()) == 6

    call_command("tipoffs_sweep_photos", "--min-age-hours", "0")
    assert stored_files() == kept_files
    assert kept.photos.get().original.read()  # the kept report's evidence is intact
