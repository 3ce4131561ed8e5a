"""Uploaded documents and the fingerprints that pin published versions.

One validator for every place that accepts a document from a person (attachments of disclosure
items and of enterprise reports): the extension must be one of ``DOCUMENT_SIGNATURES`` and the
first bytes must match it (a renamed executable or image is refused), and the size is bounded.
Messages are translated and name the rule that failed.

One way to fingerprint: ``file_sha256`` hashes a file's content, ``canonical_sha256`` a version's
canonical JSON (disclosure item versions and enterprise report versions use both).
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# PDF and Office documents only, recognised by their first bytes.
_PDF = (b"%PDF-",)
_OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .doc, .xls (legacy Office)
_ZIP = (b"PK\x03\x04",)  # .docx, .xlsx, .pptx (OOXML) and .odt, .ods (OpenDocument)
DOCUMENT_SIGNATURES = {
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


#: The type each accepted extension is served with.
DOCUMENT_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def document_content_type(filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return DOCUMENT_CONTENT_TYPES.get(extension, "application/octet-stream")


def validate_document_file(file, *, max_bytes: int) -> None:
    """An attached document: an allowed extension, matching first bytes, at most ``max_bytes``."""
    name = getattr(file, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    signatures = DOCUMENT_SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError(
            _("Attach a PDF or Office file (%(types)s).")
            % {"types": ", ".join(sorted(DOCUMENT_SIGNATURES))},
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


def file_sha256(file) -> str:
    """SHA-256 of a Django ``File``'s content (an upload, or an opened stored file), read in
    chunks; the file is left at its start."""
    digest = hashlib.sha256()
    for chunk in file.chunks():  # chunks() starts from the beginning
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def canonical_sha256(payload) -> str:
    """SHA-256 of ``payload`` as canonical JSON: sorted keys, no spaces, UTF-8 (not escaped)."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sample_pdf(text: str) -> bytes:
    """A small valid one-page PDF showing ``text`` (ASCII): a stand-in for a scanned document in
    demo data and tests."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
