"""Private storage for report photos (originals and cleaned copies), never under MEDIA_URL.

A deployment may name a storage in ``STORAGES["tipoffs_evidence"]`` (e.g. a private S3 bucket);
otherwise files go to ``TIPOFFS_EVIDENCE_ROOT`` (default ``var/evidence``), which is outside the
media root, so the web server cannot serve them. Photos reach a browser only through
``tipoffs:photo``, which checks who is asking.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

ALIAS = "tipoffs_evidence"


def evidence_storage() -> Storage:
    if ALIAS in settings.STORAGES:
        return storages[ALIAS]
    return FileSystemStorage(location=settings.TIPOFFS_EVIDENCE_ROOT, base_url=None)


@deconstructible
class EvidenceStorage(Storage):
    """Delegates to the configured evidence storage at call time (settings may change in tests)."""

    def _backend(self) -> Storage:
        return evidence_storage()

    def _open(self, name, mode="rb"):
        return self._backend().open(name, mode)

    def _save(self, name, content):
        return self._backend().save(name, content)

    def save(self, name, content, max_length=None):
        return self._backend().save(name, content, max_length=max_length)

    def generate_filename(self, filename):
        return self._backend().generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return self._backend().get_available_name(name, max_length=max_length)

    def delete(self, name):
        return self._backend().delete(name)

    def exists(self, name):
        return self._backend().exists(name)

    def size(self, name):
        return self._backend().size(name)

    def listdir(self, path):
        return self._backend().listdir(path)

    def get_modified_time(self, name):
        return self._backend().get_modified_time(name)

    def url(self, name):
        raise NotImplementedError("Evidence files have no public URL; use tipoffs:photo.")
