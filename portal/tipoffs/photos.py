"""Photo intake: the type is decided by the content, sizes and pixels are limited (decompression
bombs included), every photo is re-encoded, and the copy staff and the public see carries no
EXIF/GPS. The original is kept privately, with its SHA-256 recorded at intake as evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.storage import sweep_orphans
from portal.tipoffs.models import TipoffPhoto
from portal.tipoffs.storage import evidence_storage

MAX_PHOTOS = 6
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "MPO": "jpg"}
try:  # iPhones send HEIC; pillow-heif ships with Wagtail's image stack.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    ALLOWED_FORMATS["HEIF"] = "heic"
except ImportError:  # pragma: no cover
    pass


@dataclass(frozen=True)
class PhotoInput:
    """A photo already checked and cleaned by ``process_upload``."""

    original: bytes
    original_content_type: str
    cleaned: bytes
    width: int
    height: int
    sha256: str
    extension: str


def _open_formats() -> list[str]:
    Image.init()
    # MPO (multi-picture JPEG from phones) is recognised by the JPEG opener.
    return [f for f in ALLOWED_FORMATS if f in Image.OPEN and f != "MPO"]


def max_bytes() -> int:
    return settings.TIPOFFS_PHOTO_MAX_BYTES


def max_pixels() -> int:
    return settings.TIPOFFS_PHOTO_MAX_PIXELS


def max_edge() -> int:
    return settings.TIPOFFS_PHOTO_MAX_EDGE


def _read_limited(upload) -> bytes:
    limit = max_bytes()
    if getattr(upload, "size", None) and upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": getattr(upload, "name", ""), "mb": limit // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": getattr(upload, "name", ""), "mb": limit // (1024 * 1024)},
            code="too_large",
        )
    return data


def process_upload(upload) -> PhotoInput:
    """Check and clean one uploaded photo; raises ValidationError with a message for the reporter."""
    name = getattr(upload, "name", "") or _("photo")
    data = _read_limited(upload)
    not_a_photo = ValidationError(
        _("“%(name)s” is not a JPEG, PNG, WebP or HEIC photo.") % {"name": name},
        code="not_a_photo",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=_open_formats())
            if image.format not in ALLOWED_FORMATS:
                raise not_a_photo
            width, height = image.size
            if width * height > max_pixels() or width <= 0 or height <= 0:
                raise ValidationError(
                    _("“%(name)s” has too many pixels (%(w)d × %(h)d).")
                    % {"name": name, "w": width, "h": height},
                    code="too_many_pixels",
                )
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("“%(name)s” has too many pixels.") % {"name": name}, code="too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise not_a_photo from None

    source_format = image.format
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode == "L":
        image = image.convert("RGB")
    image.thumbnail((max_edge(), max_edge()), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # A fresh image carries no EXIF, GPS, XMP, ICC or comments: nothing is passed to save().
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    # Baseline, not progressive: progressive encoding took 3–8 times the CPU (1.9 vs 0.6 ms for
    # a flat 640×480 photo, 9 vs 1.1 ms for a detailed one) for files about 7 % smaller; the
    # intake's time per report matters more (docs/performance.md, issue 7).
    clean.save(out, format="JPEG", quality=85, optimize=False, progressive=False)
    return PhotoInput(
        original=data,
        original_content_type=Image.MIME.get(source_format, "application/octet-stream"),
        cleaned=out.getvalue(),
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(data).hexdigest(),
        extension=ALLOWED_FORMATS[source_format],
    )


def store_photo(*, tipoff, photo: PhotoInput, now=None):
    """Save both copies (private storage) and the photo row; called inside the transition."""
    now = now or timezone.now()
    stem = f"{now:%Y/%m}/{uuid.uuid4().hex}"
    row = TipoffPhoto(
        tipoff=tipoff,
        original_sha256=photo.sha256,
        original_content_type=photo.original_content_type,
        original_size=len(photo.original),
        width=photo.width,
        height=photo.height,
        uploaded_at=now,
    )
    row.original.save(
        f"tipoffs/originals/{stem}.{photo.extension}", ContentFile(photo.original), save=False
    )
    row.cleaned.save(f"tipoffs/cleaned/{stem}.jpg", ContentFile(photo.cleaned), save=False)
    row.save()
    return row


#: Folders of the private storage that hold photo files (see ``store_photo``).
PHOTO_FOLDERS = ("tipoffs/originals", "tipoffs/cleaned")


def sweep_orphan_photos(*, older_than: dt.timedelta = dt.timedelta(days=1), dry_run=False) -> int:
    """Delete photo files that no photo row refers to, e.g. left by a report whose transaction
    rolled back after its files were written. The files are listed with ``storage.listdir``, so
    the sweep works on object storage too. Files younger than ``older_than`` are left alone
    (their report may still be committing). Returns the number of files (to be) deleted."""
    referenced = set()
    for original, cleaned in TipoffPhoto.objects.values_list("original", "cleaned").iterator():
        referenced.update((original, cleaned))
    return sweep_orphans(
        evidence_storage(),
        folders=PHOTO_FOLDERS,
        referenced=referenced,
        older_than=older_than,
        dry_run=dry_run,
    )
