"""Release and export files move to the private storage (step 2 of 3): copy every blob.

Each blob is written to ``STORAGES["private"]``, read back and hashed. A release file keeps the
SHA-256 recorded when it was published: the migration fails loudly (and removes what it wrote)
when the blob or the stored copy does not match it. An export job keeps its recorded SHA-256 the
same way (or gets one when it had none). Reversing copies the files back into the columns.
"""

import hashlib
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import migrations
from django.utils.text import get_valid_filename


class StoredFileMismatch(RuntimeError):
    pass


def _sha256_of_stored(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _store(storage, written: list, name: str, content: bytes, expected: str, what: str) -> str:
    actual = hashlib.sha256(content).hexdigest()
    if expected and actual != expected:
        raise StoredFileMismatch(
            f"{what}: the database copy has SHA-256 {actual}, the record says {expected}; "
            "nothing was migrated. Investigate before migrating again."
        )
    stored = storage.save(name, ContentFile(content))
    written.append(stored)
    again = _sha256_of_stored(storage, stored)
    if again != actual:
        raise StoredFileMismatch(
            f"{what}: the stored copy {stored!r} has SHA-256 {again}, expected {actual}; "
            "nothing was migrated. Check the private storage and migrate again."
        )
    return stored


def move_blobs_to_storage(apps, schema_editor):
    ReleaseFile = apps.get_model("surveys", "ReleaseFile")
    ExportJob = apps.get_model("surveys", "ExportJob")
    storage = storages["private"]
    written: list[str] = []
    try:
        pending = ReleaseFile.objects.filter(file="").order_by("pk")
        for pk in list(pending.values_list("pk", flat=True)):
            row = ReleaseFile.objects.select_related("release").get(pk=pk)
            name = (
                f"surveys/releases/{row.release.survey_id}/{secrets.token_hex(8)}/"
                f"{get_valid_filename(row.name)}"
            )
            stored = _store(
                storage,
                written,
                name,
                bytes(row.content or b""),
                row.sha256,
                f"release file {row.pk} ({row.name})",
            )
            # A queryset update: historical models do not carry the release's immutability.
            ReleaseFile.objects.filter(pk=pk).update(file=stored)
        jobs = ExportJob.objects.filter(file="", content__isnull=False).order_by("pk")
        for pk in list(jobs.values_list("pk", flat=True)):
            job = ExportJob.objects.get(pk=pk)
            content = bytes(job.content)
            filename = get_valid_filename(job.filename or "export") or "export"
            name = f"surveys/exports/{job.survey_id}/{job.pk}-{secrets.token_hex(8)}/{filename}"
            stored = _store(
                storage, written, name, content, job.sha256, f"export job {job.pk}"
            )
            ExportJob.objects.filter(pk=pk).update(
                file=stored, sha256=hashlib.sha256(content).hexdigest(), size=len(content)
            )
    except BaseException:
        for name in written:
            try:
                storage.delete(name)
            except Exception:  # noqa: S110 - best effort; the original error matters
                pass
        raise


def copy_files_back(apps, schema_editor):
    ReleaseFile = apps.get_model("surveys", "ReleaseFile")
    ExportJob = apps.get_model("surveys", "ExportJob")
    storage = storages["private"]
    for model in (ReleaseFile, ExportJob):
        for pk, name in list(model.objects.exclude(file="").values_list("pk", "file")):
            with storage.open(name, "rb") as handle:
                model.objects.filter(pk=pk).update(content=handle.read(), file="")


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_release_export_files"),
    ]

    operations = [migrations.RunPython(move_blobs_to_storage, copy_files_back)]
