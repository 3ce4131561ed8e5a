"""Where report photos (originals and cleaned copies) live: the private storage.

Both copies are kept in ``STORAGES["private"]`` (see :mod:`portal.storage`), never under
MEDIA_URL; they reach a browser only through ``tipoffs:photo`` and the intake's original-photo
view, which check who is asking.
"""

from __future__ import annotations

from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible

from portal.storage import PrivateStorage, private_storage


def evidence_storage() -> Storage:
    return private_storage()


@deconstructible(path="portal.tipoffs.storage.EvidenceStorage")
class EvidenceStorage(PrivateStorage):
    """The photo fields' storage: the private storage (the name is kept for migration 0001)."""
