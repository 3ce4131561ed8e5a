"""Retention on a hand-built timeline: each category removes exactly what its period says, a dry
run changes nothing, and every run is logged with counts only (docs/privacy.md)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from disclosure import workflow as disclosure_workflow
from disclosure.models import DisclosureRequest
from portal.models import RetentionPurgeRun, User
from portal.privacy.models import SubjectRequest
from portal.privacy.retention import run_purges
from portal.tipoffs import workflow as tipoff_workflow
from portal.tipoffs.models import Category, Confidentiality, ReporterIdentity, TipoffPhoto
from portal.tipoffs.photos import process_upload, store_photo
from surveys.models import AbuseSignal
from tests.factories import SubdistrictFactory, UserFactory
from tests.surveys.builders import build_survey
from tests.tipoffs.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 9, 1, 12, 0, tzinfo=TZ)


def at(y, m, d):
    return dt.datetime(y, m, d, 10, 0, tzinfo=TZ)


def closed_report(closed: dt.datetime, *, with_photo=False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    t = tipoff_workflow.tipoff_submit(
        category=Category.objects.get(code="air-dust"),
        subdistrict=SubdistrictFactory(code="donghua", name="东华街道"),
        address="东华街道1号",
        observed_at=closed - dt.timedelta(days=1),
        description="扬尘。",
        confidentiality=Confidentiality.REAL_NAME,
        consent=True,
        name="赵举报",
        phone="13700001111",
        now=closed,
    )
    if with_photo:
        store_photo(
            tipoff=t,
            photo=process_upload(SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")),
            now=closed,
        )
    # Straight to closed on the given day (the timeline, not the workflow, is under test).
    type(t).objects.filter(pk=t.pk).update(state="closed", closed_at=closed)
    return t


def replied_request(replied: dt.date, n: int):
    r, _ = disclosure_workflow.request_submit(
        data={
            "applicant_type": "person",
            "applicant_name": f"申请人{n}",
            "id_type": "resident_id",
            "id_number": "11010519491231002X",
            "phone": "1360000000" + str(n),
            "email": f"a{n}@example.org",
            "description": "请公开监测数据。",
            "delivery": "email",
        },
        submission_token=uuid.uuid4(),
        on_date=replied - dt.timedelta(days=10),
    )
    DisclosureRequest.objects.filter(pk=r.pk).update(status="replied", replied_on=replied)
    return r


@pytest.fixture
def timeline(db, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.TIPOFFS_IDENTITY_RETENTION_YEARS = 3
    settings.TIPOFFS_ORIGINAL_PHOTO_RETENTION_YEARS = 2
    settings.DISCLOSURE_APPLICANT_RETENTION_YEARS = 3
    settings.PRIVACY_UNVERIFIED_ACCOUNT_DAYS = 30
    settings.PRIVACY_REQUEST_RETENTION_YEARS = 3
    settings.SURVEYS_SIGNAL_RETENTION_DAYS = 30
    # Reports closed 4 years (identity and photo due), 2.5 years (photo due only) and 1 year ago.
    old = closed_report(at(2022, 8, 1), with_photo=True)
    middle = closed_report(at(2024, 2, 1), with_photo=True)
    recent = closed_report(at(2025, 9, 1), with_photo=True)
    open_case = tipoff_workflow.tipoff_submit(
        category=Category.objects.get(code="air-dust"),
        subdistrict=SubdistrictFactory(code="donghua", name="东华街道"),
        address="东华街道2号",
        observed_at=at(2021, 1, 1),
        description="仍在办理。",
        confidentiality=Confidentiality.REAL_NAME,
        consent=True,
        name="钱在办",
        phone="13700002222",
        now=at(2021, 1, 2),
    )
    # Requests replied 3 years and a day ago (due) and 2 years 364 days ago (not yet).
    due_request = replied_request(dt.date(2023, 8, 31), 1)
    kept_request = replied_request(dt.date(2023, 9, 3), 2)
    # Accounts: unverified and unused for 31 days (due), 29 days (not yet), verified (never).
    stale = UserFactory(username="stale", email="stale@example.org")
    EmailAddress.objects.filter(user=stale).update(verified=False)
    fresh = UserFactory(username="fresh", email="fresh@example.org")
    EmailAddress.objects.filter(user=fresh).update(verified=False)
    verified = UserFactory(username="verified", email="verified@example.org")
    User.objects.filter(pk=stale.pk).update(date_joined=NOW - dt.timedelta(days=31))
    User.objects.filter(pk=fresh.pk).update(date_joined=NOW - dt.timedelta(days=29))
    User.objects.filter(pk=verified.pk).update(date_joined=NOW - dt.timedelta(days=400))
    # Abuse signals seen 31 and 29 days ago.
    survey = build_survey()
    AbuseSignal.objects.create(survey=survey, signal_hash="a" * 64, seen_on=dt.date(2026, 8, 1))
    AbuseSignal.objects.create(survey=survey, signal_hash="b" * 64, seen_on=dt.date(2026, 8, 3))
    # A request without an account answered 4 years ago, one answered last year.
    answered_old = SubjectRequest.objects.create(
        kind="access",
        relation="reporter",
        requester_name="孙旧",
        requester_contact="13500000000",
        received_on=dt.date(2022, 3, 1),
        status="answered",
        answered_on=dt.date(2022, 3, 10),
    )
    answered_new = SubjectRequest.objects.create(
        kind="access",
        relation="applicant",
        requester_name="周新",
        requester_contact="13500000001",
        received_on=dt.date(2025, 3, 3),
        status="answered",
        answered_on=dt.date(2025, 3, 10),
    )
    return {
        "old": old,
        "middle": middle,
        "recent": recent,
        "open": open_case,
        "due_request": due_request,
        "kept_request": kept_request,
        "stale": stale,
        "fresh": fresh,
        "verified": verified,
        "answered_old": answered_old,
        "answered_new": answered_new,
    }


EXPECTED = {
    "reporter_identities": {"tipoffs.reporteridentity": 1},
    "original_photos": {"tipoffs.tipoffphoto.original": 2},
    "applicant_identities": {"disclosure.disclosurerequest": 1},
    "abuse_signals": {"surveys.abusesignal": 1},
    "unverified_accounts": {"portal.user": 1},
    "subject_requests": {"privacy.subjectrequest": 1},
}


def test_a_dry_run_counts_what_the_periods_say_and_changes_nothing(timeline):
    runs_before = RetentionPurgeRun.objects.count()
    results = run_purges(now=NOW, dry_run=True)
    for key, counts in EXPECTED.items():
        for label, n in counts.items():
            assert results[key][label] == n, key
    assert RetentionPurgeRun.objects.count() == runs_before
    assert ReporterIdentity.objects.get(tipoff=timeline["old"]).phone == "+8613700001111"
    assert TipoffPhoto.objects.exclude(original="").count() == 3


def test_the_purge_removes_exactly_what_the_periods_say(timeline):
    results = run_purges(now=NOW)
    for key, counts in EXPECTED.items():
        for label, n in counts.items():
            assert results[key][label] == n, key

    identity = {t: ReporterIdentity.objects.get(tipoff=timeline[t]) for t in ("old", "middle")}
    assert (identity["old"].name, identity["old"].phone) == ("", "")
    assert identity["middle"].phone == "+8613700001111"
    assert ReporterIdentity.objects.get(tipoff=timeline["open"]).phone == "+8613700002222"

    photos = dict(TipoffPhoto.objects.values_list("tipoff_id", "original"))
    assert photos[timeline["old"].pk] == "" and photos[timeline["middle"].pk] == ""
    assert photos[timeline["recent"].pk] != ""
    # The hash of the original stays as evidence.
    assert all(TipoffPhoto.objects.values_list("original_sha256", flat=True))

    due = DisclosureRequest.objects.get(pk=timeline["due_request"].pk)
    assert (due.id_number, due.phone, due.email, due.applicant_name) == ("", "", "", "")
    assert due.identity_purged_on == NOW.date() and due.events.exists()
    kept = DisclosureRequest.objects.get(pk=timeline["kept_request"].pk)
    assert kept.id_number == "11010519491231002X"

    assert list(AbuseSignal.objects.values_list("signal_hash", flat=True)) == ["b" * 64]

    users = {u.username: u for u in User.objects.all()}
    assert f"deleted-{timeline['stale'].pk}" in users and "stale" not in users
    assert users["fresh"].is_active and users["verified"].is_active

    old_request = SubjectRequest.objects.get(pk=timeline["answered_old"].pk)
    assert (old_request.requester_name, old_request.requester_contact) == ("", "")
    assert SubjectRequest.objects.get(pk=timeline["answered_new"].pk).requester_name == "周新"

    # Each category's run is logged, with counts and never the data.
    logged = {run.reason: run.counts for run in RetentionPurgeRun.objects.all()}
    assert logged["tipoffs_purge_identities"] == {"tipoffs.reporteridentity": 1}
    assert logged["privacy_purge:original_photos"] == {"tipoffs.tipoffphoto.original": 2}
    assert logged["privacy_purge:applicant_identities"] == {"disclosure.disclosurerequest": 1}
    assert logged["privacy_purge:unverified_accounts"] == {"portal.user": 1}
    text = repr(list(RetentionPurgeRun.objects.values()))
    for secret in ("13700001111", "11010519491231002X", "stale@example.org", "孙旧"):
        assert secret not in text

    # A second run on the same day finds nothing more.
    again = run_purges(now=NOW)
    assert all(n == 0 for counts in again.values() for n in counts.values() if n is not None)


def test_the_command_has_a_dry_run_and_lists_the_categories(timeline, capsys):
    call_command("privacy_purge", "--list")
    listed = capsys.readouterr().out
    for key in EXPECTED:
        assert key in listed
    call_command("privacy_purge", "--dry-run", "--category", "abuse_signals")
    out = capsys.readouterr().out
    assert "would remove" in out and "abuse_signals" in out
    assert AbuseSignal.objects.count() == 2
