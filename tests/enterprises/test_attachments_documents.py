"""Files attached to enterprise reports (frozen with each version, in its fingerprint, public only
once submitted) and legal documents the bureau registers (the temporary-report clock runs from the
day of service whether or not the enterprise files)."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises import report_format, selectors, services
from enterprises.models import LegalDocument, ReportAttachment, TemporaryReport
from portal.models import Notification
from portal.uploads import sample_pdf
from tests.enterprises.conftest import aware, full_content

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_private_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def pdf(name="monitoring.pdf", text="report"):
    return SimpleUploadedFile(name, sample_pdf(text), content_type="application/pdf")


def stored_names():
    storage = storages["private"]
    names = []

    def walk(folder):
        try:
            dirs, files = storage.listdir(folder)
        except FileNotFoundError:
            return
        names.extend(f"{folder}/{f}" for f in files)
        for d in dirs:
            walk(f"{folder}/{d}")

    walk("enterprises")
    return names


# --- Attachments -------------------------------------------------------------------------------


def test_submitted_version_freezes_its_files_in_the_fingerprint(enterprise, own):
    report = services.annual_report_for(own, 2025)
    [added] = services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf(), "自行监测年报")]
    )
    version = services.report_submit(report=report, content=full_content(), user=enterprise)
    data = sample_pdf("report")
    assert version.attachments == [
        {
            "id": added.pk,
            "title": "自行监测年报",
            "filename": "monitoring.pdf",
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    ]
    assert version.fingerprint == report_format.fingerprint(version.content, version.attachments)
    assert version.fingerprint != report_format.fingerprint(version.content)
    # Frozen: the draft's files cannot change until a correction is started.
    with pytest.raises(services.ReportError):
        services.report_update_attachments(report=report, user=enterprise, remove=[added.pk])


def test_a_correction_replaces_a_file_and_the_old_version_keeps_it(enterprise, own):
    report = services.annual_report_for(own, 2025)
    [old] = services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf("a.pdf", "old"), "")]
    )
    first = services.report_submit(report=report, content=full_content(), user=enterprise)
    services.report_open_correction(report=report, user=enterprise)
    report.refresh_from_db()
    [new] = services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf("b.pdf", "new"), "")], remove=[old.pk]
    )
    second = services.report_submit(
        report=report, content=full_content(), user=enterprise, reason="换用盖章版监测报告"
    )
    assert [a["id"] for a in first.attachments] == [old.pk]
    assert [a["id"] for a in second.attachments] == [new.pk]
    assert new.title == "b"  # titled by the file name
    assert first.fingerprint != second.fingerprint
    old.refresh_from_db()  # still stored: version 1 names it
    assert storages["private"].exists(old.file.name)
    assert services.attachment_is_public(old) and services.attachment_is_public(new)


def test_a_file_removed_from_a_draft_before_submission_is_deleted(
    enterprise, own, django_capture_on_commit_callbacks
):
    report = services.annual_report_for(own, 2025)
    [added] = services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf(), "")]
    )
    name = added.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.report_update_attachments(report=report, user=enterprise, remove=[added.pk])
    assert not ReportAttachment.objects.filter(pk=added.pk).exists()
    assert not storages["private"].exists(name)


def test_cancelling_a_correction_restores_the_latest_versions_files(enterprise, own):
    report = services.annual_report_for(own, 2025)
    [kept] = services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf(), "")]
    )
    services.report_submit(report=report, content=full_content(), user=enterprise)
    services.report_open_correction(report=report, user=enterprise)
    report.refresh_from_db()
    services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf("x.pdf", "x"), "")], remove=[kept.pk]
    )
    services.report_cancel_correction(report=report, user=enterprise)
    assert list(report.attachments.filter(in_draft=True)) == [kept]
    assert report.attachments.count() == 1  # the unsubmitted upload is gone


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00"), "PDF"),
        (SimpleUploadedFile("fake.pdf", b"GIF89a..."), ".pdf"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_stored(enterprise, own, upload, message):
    report = services.annual_report_for(own, 2025)
    with pytest.raises(ValidationError) as exc:
        services.report_update_attachments(
            report=report, user=enterprise, uploads=[(pdf(), ""), (upload, "")]
        )
    assert message in " ".join(exc.value.message_dict["attachments"])
    assert not ReportAttachment.objects.exists() and not stored_names()


def test_too_many_or_too_large_files_are_refused(enterprise, own, settings):
    report = services.annual_report_for(own, 2025)
    settings.ENTERPRISES_ATTACHMENTS_PER_REPORT = 1
    with pytest.raises(ValidationError):
        services.report_update_attachments(
            report=report, user=enterprise, uploads=[(pdf("a.pdf"), ""), (pdf("b.pdf"), "")]
        )
    settings.ENTERPRISES_ATTACHMENTS_PER_REPORT = 20
    settings.ENTERPRISES_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError):
        services.report_update_attachments(report=report, user=enterprise, uploads=[(pdf(), "")])
    assert not ReportAttachment.objects.exists()


def test_another_enterprise_cannot_attach(enterprise, other):
    report = services.annual_report_for(other, 2025)
    with pytest.raises(services.ReportForbidden):
        services.report_update_attachments(report=report, user=enterprise, uploads=[(pdf(), "")])


def test_the_filing_page_uploads_with_the_draft_and_keeps_files_when_the_content_is_refused(
    client, enterprise, own
):
    client.force_login(enterprise)
    url = reverse("enterprises:filing_annual", args=[own.pk, 2025])
    page = client.get(url)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    data = {
        "action": "submit",
        "basic": "",  # required on submission: refused
        **{f"{t}-TOTAL_FORMS": "0" for t in report_format.TABLES},
        **{f"{t}-INITIAL_FORMS": "0" for t in report_format.TABLES},
        "attachments": [pdf()],
        "attachment_title": "监测报告",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "监测报告" in body  # listed in the draft, not lost with the refused content
    report = services.annual_report_for(own, 2025)
    assert report.versions.count() == 0 and report.attachments.filter(in_draft=True).count() == 1


def test_the_filing_page_shows_a_refused_file_as_a_field_error(client, enterprise, own):
    client.force_login(enterprise)
    url = reverse("enterprises:filing_annual", args=[own.pk, 2025])
    data = {
        "action": "save",
        **{f"{t}-TOTAL_FORMS": "0" for t in report_format.TABLES},
        **{f"{t}-INITIAL_FORMS": "0" for t in report_format.TABLES},
        "attachments": [SimpleUploadedFile("photo.pdf", b"\xff\xd8\xff\xe0JFIF")],
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "photo.pdf" in response.content.decode()
    assert not ReportAttachment.objects.exists()


def test_a_draft_file_is_private_and_a_submitted_one_public(client, enterprise, own):
    report = services.annual_report_for(own, 2025)
    [added] = services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf(), "监测报告")]
    )
    url = reverse("enterprises:attachment", args=[added.pk])
    assert client.get(url).status_code == 404  # a draft's file does not exist for the public
    client.force_login(enterprise)
    own_view = client.get(url)
    assert own_view.status_code == 200 and own_view["Cache-Control"] == "private, no-store"
    client.logout()
    services.report_submit(report=report, content=full_content(), user=enterprise)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample_pdf("report")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert "monitoring.pdf" in response["Content-Disposition"]
    page = client.get(reverse("enterprises:report", args=[own.credit_code, 2025]))
    assert "监测报告" in page.content.decode() and added.sha256 in page.content.decode()


def test_an_unpublished_enterprises_files_are_not_public(client, enterprise, own):
    report = services.annual_report_for(own, 2025)
    [added] = services.report_update_attachments(
        report=report, user=enterprise, uploads=[(pdf(), "")]
    )
    services.report_submit(report=report, content=full_content(), user=enterprise)
    own.is_published = False
    own.save()
    assert client.get(reverse("enterprises:attachment", args=[added.pk])).status_code == 404


def test_a_temporary_report_files_its_documents(client, enterprise, own):
    report = services.temporary_report_file(
        enterprise=own,
        user=enterprise,
        document_kind="penalty",
        document_number="攀东环罚〔2026〕7号",
        issued_by="东区生态环境局",
        received_on=dt.date(2026, 6, 1),
        content="已缴纳罚款并整改",
        uploads=[(pdf("decision.pdf", "decision"), "")],
        now=aware(2026, 6, 3, 9),
    )
    [attachment] = report.attachments.all()
    assert attachment.title == "decision"
    assert report.fingerprint == report_format.temporary_fingerprint(
        document_kind="penalty",
        document_number="攀东环罚〔2026〕7号",
        issued_by="东区生态环境局",
        received_on=dt.date(2026, 6, 1),
        content="已缴纳罚款并整改",
        attachments=[
            {"title": "decision", "filename": "decision.pdf", "sha256": attachment.sha256}
        ],
    )
    assert client.get(reverse("enterprises:attachment", args=[attachment.pk])).status_code == 200


def test_a_temporary_report_with_a_bad_file_saves_nothing(enterprise, own):
    with pytest.raises(ValidationError):
        services.temporary_report_file(
            enterprise=own,
            user=enterprise,
            document_kind="penalty",
            document_number="X-1",
            issued_by="局",
            received_on=dt.date(2026, 6, 1),
            content="内容",
            uploads=[(SimpleUploadedFile("a.docx", b"not a zip"), "")],
        )
    assert not TemporaryReport.objects.exists() and not stored_names()


# --- Legal documents -----------------------------------------------------------------------------


def register(user, enterprise, number="攀东环罚〔2026〕8号", served=dt.date(2026, 1, 30), now=None):
    return services.legal_document_register(
        enterprise=enterprise,
        user=user,
        document_kind="penalty",
        document_number=number,
        issued_by="攀枝花市东区生态环境局",
        served_on=served,
        now=now or aware(served.year, served.month, served.day, 18),
    )


def test_registering_a_document_starts_the_clock_across_the_spring_festival(
    disclosure_officer, enterprise, own, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document = register(disclosure_officer, own)
    # Served Friday 30 January 2026: 2, 3, 4, 5, 6 February are the five working days.
    assert document.due_on == dt.date(2026, 2, 6)
    notice = Notification.objects.get(event="enterprises.document_registered")
    assert notice.recipient_id == enterprise.pk
    # Nothing filed: it is an obligation, missing once its deadline passed.
    rate = selectors.compliance(year=2026, as_of=dt.date(2026, 3, 1))
    assert ("document", document.pk) in rate.missing_keys
    assert [d.pk for d in selectors.overdue_documents(own, today=dt.date(2026, 2, 9))] == [
        document.pk
    ]


def test_filing_on_a_registered_document_uses_the_bureaus_date(disclosure_officer, enterprise, own):
    document = register(disclosure_officer, own, served=dt.date(2026, 6, 1))
    with pytest.raises(ValidationError) as exc:
        services.temporary_report_file(
            enterprise=own,
            user=enterprise,
            document_kind="other",
            document_number="攀东环罚〔2026〕8号",
            issued_by="某单位",
            received_on=dt.date(2026, 6, 5),  # later than served: would move the deadline
            content="已整改",
            now=aware(2026, 6, 9, 9),
        )
    assert "2026-06-01" in exc.value.message_dict["received_on"][0]
    report = services.temporary_report_file(
        enterprise=own,
        user=enterprise,
        document_kind="other",
        document_number=" 攀东环罚〔2026〕8号 ",
        issued_by="某单位",
        received_on=dt.date(2026, 6, 1),
        content="已整改",
        now=aware(2026, 6, 9, 9),
    )
    assert report.legal_document == document
    assert (report.document_kind, report.issued_by) == ("penalty", "攀枝花市东区生态环境局")
    assert report.due_on == document.due_on and report.is_late  # due 8 June
    rate = selectors.compliance(year=2026, as_of=dt.date(2026, 12, 31))
    keys = rate.late_keys + rate.missing_keys
    assert ("temporary", report.pk) in keys and ("document", document.pk) not in keys  # once
    assert not selectors.open_documents(own).exists()


def test_registering_after_the_enterprise_filed_links_the_report(
    disclosure_officer, enterprise, own
):
    report = services.temporary_report_file(
        enterprise=own,
        user=enterprise,
        document_kind="penalty",
        document_number="攀东环罚〔2026〕9号",
        issued_by="局",
        received_on=dt.date(2026, 2, 2),
        content="已整改",
        now=aware(2026, 2, 6, 9),
    )
    assert not report.is_late
    document = register(disclosure_officer, own, number="攀东环罚〔2026〕9号")
    report.refresh_from_db()
    assert report.legal_document == document
    assert report.due_on == dt.date(2026, 2, 6)
    assert not Notification.objects.filter(event="enterprises.document_registered").exists()


def test_a_duplicate_or_future_registration_is_refused(disclosure_officer, own):
    register(disclosure_officer, own)
    with pytest.raises(ValidationError) as exc:
        register(disclosure_officer, own)
    assert "document_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        register(
            disclosure_officer,
            own,
            number="Y",
            served=dt.date(2026, 3, 1),
            now=aware(2026, 2, 2, 9),
        )
    assert "served_on" in exc.value.message_dict
    assert LegalDocument.objects.count() == 1


def test_only_the_bureau_registers_and_withdraws(enterprise, disclosure_officer, own):
    with pytest.raises(services.ReportForbidden):
        register(enterprise, own)
    document = register(disclosure_officer, own)
    with pytest.raises(ValidationError):
        services.legal_document_withdraw(document=document, user=disclosure_officer, reason=" ")
    withdrawn = services.legal_document_withdraw(
        document=document, user=disclosure_officer, reason="文书编号登记错误"
    )
    assert withdrawn.withdrawn_at is not None
    assert not selectors.open_documents().exists()
    rate = selectors.compliance(year=2026, as_of=dt.date(2026, 12, 31))
    assert rate.due == 0 or ("document", document.pk) not in rate.missing_keys


def test_an_answered_document_cannot_be_withdrawn(disclosure_officer, enterprise, own):
    document = register(disclosure_officer, own, served=dt.date(2026, 2, 2))
    services.temporary_report_file(
        enterprise=own,
        user=enterprise,
        document_kind="penalty",
        document_number=document.document_number,
        issued_by="局",
        received_on=dt.date(2026, 2, 2),
        content="已整改",
        now=aware(2026, 2, 3, 9),
    )
    with pytest.raises(ValidationError):
        services.legal_document_withdraw(document=document, user=disclosure_officer, reason="x")


def test_an_overdue_document_is_reminded_once(disclosure_officer, enterprise, own):
    register(disclosure_officer, own)
    before = Notification.objects.filter(event="enterprises.temporary_late").count()
    services.reminders_send(today=dt.date(2026, 2, 9))
    services.reminders_send(today=dt.date(2026, 2, 10))
    assert Notification.objects.filter(event="enterprises.temporary_late").count() == before + 1


def test_the_admin_screens_register_list_and_withdraw(client, disclosure_officer, enterprise, own):
    client.force_login(disclosure_officer)
    new = reverse("enterprises_admin:document_new")
    assert client.get(new).status_code == 200
    bad = client.post(new, {"enterprise": own.pk, "document_kind": "penalty"})
    assert bad.status_code == 400 and not LegalDocument.objects.exists()
    response = client.post(
        new,
        {
            "enterprise": own.pk,
            "document_kind": "penalty",
            "document_number": "攀东环罚〔2026〕12号",
            "issued_by": "东区生态环境局",
            "served_on": "2026-11-02",
            "note": "",
        },
    )
    assert response.status_code == 302
    document = LegalDocument.objects.get()
    listing = client.get(reverse("enterprises_admin:documents"))
    assert "攀东环罚〔2026〕12号" in listing.content.decode()
    queue = client.get(reverse("enterprises_admin:queue"))
    assert "攀东环罚〔2026〕12号" in queue.content.decode()
    withdraw = reverse("enterprises_admin:document_withdraw", args=[document.pk])
    client.post(withdraw, {"reason": "登记错误"})
    document.refresh_from_db()
    assert document.withdrawn_reason == "登记错误"
    client.force_login(enterprise)
    for url in (new, reverse("enterprises_admin:documents")):
        assert client.get(url).status_code in (302, 403)


def test_the_filing_home_offers_the_registered_document_prefilled(
    client, disclosure_officer, enterprise, own
):
    document = register(disclosure_officer, own)
    client.force_login(enterprise)
    home = client.get(reverse("enterprises:filing_home")).content.decode()
    assert document.document_number in home
    form = client.get(
        reverse("enterprises:filing_temporary", args=[own.pk]) + f"?document={document.pk}"
    ).content.decode()
    assert 'value="攀东环罚〔2026〕8号"' in form and 'value="2026-01-30"' in form
