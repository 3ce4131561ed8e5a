"""Files through Django's storage API: public media and the private storage.

``STORAGES`` (portal/settings.py) names two storages for uploaded and generated files:

- ``default`` — public media (Wagtail images and documents): a filesystem folder served by the
  web server, or a public bucket/prefix.
- ``private`` — tip-off evidence photos (originals and cleaned copies), survey release files and
  export files: a folder outside the media root, or a private bucket/prefix. A private file has no
  URL of its own; it reaches a browser only through a view that has checked who is asking, which
  calls :func:`private_file_response` (streamed through Django, or a redirect to a presigned URL
  valid ``PORTAL_PRIVATE_URL_EXPIRY`` seconds when ``PORTAL_PRIVATE_DELIVERY=signed-url``).

Code reads and writes files only through these storages (save/open/delete/exists/listdir), never
through paths, so several app machines can share one object store.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

PRIVATE = "private"


def private_storage() -> Storage:
    """The configured private storage (looked up on each call: tests override STORAGES)."""
    return storages[PRIVATE]


@deconstructible(path="portal.storage.PrivateStorage")
class PrivateStorage(Storage):
    """A model field's storage that delegates to ``STORAGES["private"]`` at call time.

    A FileField evaluates its storage once, when the model class is built; delegating keeps the
    field on whatever ``STORAGES["private"]`` is now (settings differ per deployment and per test).
    ``url()`` is refused: private files are served only by access-checked views.
    """

    def _backend(self) -> Storage:
        return private_storage()

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
        raise NotImplementedError(
            "Private files have no public URL; serve them with portal.storage.private_file_response."
        )


def walk(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under ``folder`` (recursively), through ``storage.listdir`` only."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from walk(storage, f"{folder}/{sub}")


def sweep_orphans(
    storage: Storage,
    *,
    folders: Iterable[str],
    referenced: set[str],
    older_than: dt.timedelta,
    dry_run: bool = False,
) -> int:
    """Delete the files under ``folders`` that no row refers to (``referenced``), listed with
    ``storage.listdir``. Files younger than ``older_than`` are kept: the transaction that will
    refer to them may still be running. Returns the number of files (to be) deleted."""
    cutoff = timezone.now() - older_than
    orphans = [
        name
        for folder in folders
        for name in walk(storage, folder)
        if name not in referenced and storage.get_modified_time(name) < cutoff
    ]
    if not dry_run:
        for name in orphans:
            storage.delete(name)
    return len(orphans)


def delete_quietly(storage: Storage, names: Iterable[str]) -> None:
    """Delete files written for work that failed; a file left behind is swept later."""
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("Could not delete %s from the private storage", name, exc_info=True)


def private_file_response(
    name: str,
    *,
    content_type: str,
    filename: str = "",
    as_attachment: bool = False,
    cache_control: str = "private, no-store",
    shared_cache: bool = False,
) -> HttpResponse:
    """Hand a private file to a browser; call only after the view's permission check.

    Streams the file from the private storage (``FileResponse`` over ``storage.open``), or, with
    ``PORTAL_PRIVATE_DELIVERY=signed-url``, redirects to a presigned URL that expires after
    ``PORTAL_PRIVATE_URL_EXPIRY`` seconds. A response meant for shared caches (``shared_cache``,
    e.g. a photo approved for publication) is always streamed: a cache must not keep a redirect
    to a URL that expires. A missing file is a 404.
    """
    disposition = content_disposition_header(as_attachment, filename) if filename else None
    if settings.PORTAL_PRIVATE_DELIVERY == "signed-url" and not shared_cache:
        parameters = {"ResponseContentType": content_type, "ResponseCacheControl": "no-store"}
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
        url = private_storage().url(
            name, parameters=parameters, expire=settings.PORTAL_PRIVATE_URL_EXPIRY
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
    if not name:
        raise Http404
    try:
        handle = private_storage().open(name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
