"""Identity numbers, validated with python-stdnum (a maintained library, not our own tables).

* Mainland resident ID numbers (居民身份证号码, GB 11643-1999): ``stdnum.cn.ric`` checks the
  length, the administrative region code of the place of birth, a real date of birth and the
  check digit.
* Unified social credit codes (统一社会信用代码, GB 32100-2015): ``stdnum.cn.uscc`` checks the
  alphabet, the registration authority and type, the region code and the check character.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent
from stdnum.exceptions import ValidationError as StdnumError


def resident_id_check_digit(first17: str) -> str:
    """The check digit for the first 17 characters (stdnum wants a placeholder 18th)."""
    return ric.calc_check_digit(first17[:17] + "0")


def is_valid_resident_id(value: str) -> bool:
    return ric.is_valid((value or "").strip().upper())


def validate_resident_id(value: str) -> None:
    try:
        ric.validate((value or "").strip().upper())
    except InvalidChecksum:
        raise ValidationError(
            _("The check digit (the last character) of this resident ID number is wrong."),
            code="invalid_resident_id",
        ) from None
    except StdnumError:
        raise ValidationError(
            _(
                "This is not a valid resident ID number: 18 characters, a real date of birth "
                "and a correct check digit (GB 11643)."
            ),
            code="invalid_resident_id",
        ) from None


def is_valid_credit_code(value: str) -> bool:
    return uscc.is_valid((value or "").strip().upper())


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate((value or "").strip().upper())
    except InvalidChecksum:
        raise ValidationError(
            _("The check character (the last character) of this credit code is wrong."),
            code="invalid_credit_code",
        ) from None
    except (InvalidComponent, StdnumError):
        raise ValidationError(
            _("A unified social credit code has 18 digits and capital letters."),
            code="invalid_credit_code",
        ) from None


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
