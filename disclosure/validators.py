"""Identity numbers: the GB 11643-1999 check digit of mainland resident ID numbers."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"^\d{17}[\dX]$")
_CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def resident_id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def is_valid_resident_id(value: str) -> bool:
    value = (value or "").strip().upper()
    if not _ID18.match(value):
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return resident_id_check_digit(value[:17]) == value[17]


def validate_resident_id(value: str) -> None:
    if not is_valid_resident_id(value):
        raise ValidationError(
            _(
                "This is not a valid resident ID number: 18 characters, a real date of birth "
                "and a correct check digit (GB 11643)."
            ),
            code="invalid_resident_id",
        )


def validate_credit_code(value: str) -> None:
    if not _CREDIT_CODE.match((value or "").strip().upper()):
        raise ValidationError(
            _("A unified social credit code has 18 digits and capital letters."),
            code="invalid_credit_code",
        )


# Attachments of disclosure items: PDF and Office documents only, recognised by their first bytes.
_PDF = (b"%PDF-",)
_OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .doc, .xls (legacy Office)
_ZIP = (b"PK\x03\x04",)  # .docx, .xlsx, .pptx (OOXML) and .odt, .ods (OpenDocument)
ATTACHMENT_SIGNATURES = {
    "pdf": _PDF,
    "doc": _OLE2,
    "xls": _OLE2,
    "ppt": _OLE2,
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
}


def validate_attachment_file(file, *, max_bytes: int) -> None:
    """A disclosure attachment: an allowed extension, matching first bytes, at most ``max_bytes``."""
    name = getattr(file, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    signatures = ATTACHMENT_SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError(
            _("Attach a PDF or Office file (%(types)s).")
            % {"types": ", ".join(sorted(ATTACHMENT_SIGNATURES))},
            code="attachment_type",
        )
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)},
            code="attachment_size",
        )
    try:
        file.open("rb")
        file.seek(0)
        head = file.read(8)
        file.seek(0)
    except OSError as exc:
        raise ValidationError(
            _("The file could not be read. Upload it again."), code="attachment_missing"
        ) from exc
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("The file's content is not a .%(ext)s file. Upload the original document.")
            % {"ext": extension},
            code="attachment_content",
        )
