"""Attachments of disclosure items: PDF/Office only, by extension and first bytes, with a size
limit; shown with type and size; part of the version fingerprint (issue 14, part 9)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from disclosure.models import DisclosureItemAttachment
from disclosure.versions import fingerprint, item_attachments
from portal.uploads import sample_pdf, validate_document_file

pytestmark = pytest.mark.django_db

DOCX_HEAD = b"PK\x03\x04" + b"\x00" * 40
XLS_HEAD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40


def _file(name, content):
    return ContentFile(content, name=name)


@pytest.mark.parametrize(
    "name,content",
    [("a.pdf", sample_pdf("x")), ("b.docx", DOCX_HEAD), ("c.xls", XLS_HEAD), ("d.ODS", DOCX_HEAD)],
)
def test_pdf_and_office_files_pass(name, content):
    validate_document_file(_file(name, content), max_bytes=10_000)


@pytest.mark.parametrize(
    "name,content,code",
    [
        ("a.exe", b"MZ\x90\x00", "attachment_type"),
        ("notes.txt", b"hello", "attachment_type"),
        ("fake.pdf", b"<html>not a pdf</html>", "attachment_content"),
        ("fake.docx", b"%PDF-1.4", "attachment_content"),
        ("big.pdf", b"%PDF-1.4" + b"0" * 20_000, "attachment_size"),
    ],
)
def test_other_files_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as info:
        validate_document_file(_file(name, content), max_bytes=10_000)
    assert info.value.code == code


def test_the_attachment_row_validates_its_document(settings):
    settings.DISCLOSURE_ATTACHMENT_MAX_BYTES = 10_000
    Document = get_document_model()
    fake = Document.objects.create(title="fake", file=_file("fake.pdf", b"GIF89a"))
    with pytest.raises(ValidationError) as info:
        DisclosureItemAttachment(document=fake).clean()
    assert "document" in info.value.message_dict


def test_the_fingerprint_covers_each_attachments_content():
    text = "标题：示例"
    one = [{"filename": "a.pdf", "sha256": "1" * 64}]
    other = [{"filename": "a.pdf", "sha256": "2" * 64}]
    assert fingerprint(text, one) != fingerprint(text, other)
    assert fingerprint(text, one) != fingerprint(text, [])


def test_the_item_page_shows_each_attachment_with_type_and_size(client):
    from disclosure.models import DisclosureItemPage
    from tests.portal.test_persona_matrix import _seed_demo

    _seed_demo()
    Document = get_document_model()
    item = DisclosureItemPage.objects.live().first()
    document = Document.objects.create(title="附件", file=_file("plan.pdf", sample_pdf("plan")))
    item.attachments.add(DisclosureItemAttachment(document=document, label="规划文本"))
    item.save_revision().publish()
    html = client.get(item.url).content.decode()
    assert "规划文本" in html and "(PDF, " in html
    assert item_attachments(item)[0]["filename"] == "plan.pdf"
