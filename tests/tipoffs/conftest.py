"""Fixtures for the pollution-report tests: taxonomy, departments, personas and cases by state."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal import roles
from portal.tipoffs import workflow
from portal.tipoffs.models import Category, Confidentiality, NotAcceptedReason, State
from tests.factories import DepartmentFactory, SubdistrictFactory, UserFactory, member_of

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday well before the 2026 National Day holiday (1–8 October 2026).
T0 = dt.datetime(2026, 9, 7, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _private_storage_in_memory(settings):
    """A fresh, empty private storage for each test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture(autouse=True)
def _calendar_2027(db):
    """Tests that use the real clock (late 2026) reach deadlines in 2027, beyond chinese-calendar."""
    from portal.models import HolidayCalendarYear

    HolidayCalendarYear.objects.get_or_create(year=2027, defaults={"source": "test: weekends only"})


@pytest.fixture
def subdistrict(db):
    return SubdistrictFactory(code="donghua", name="东华街道")


@pytest.fixture
def other_subdistrict(db):
    return SubdistrictFactory(code="yinjiang", name="银江镇")


@pytest.fixture
def category(db):
    return Category.objects.get(code="air-dust")


@pytest.fixture
def dept_a(db):
    return DepartmentFactory(code="dept-a", name="甲局")


@pytest.fixture
def dept_b(db):
    return DepartmentFactory(code="dept-b", name="乙局")


@pytest.fixture
def resident(db):
    return UserFactory(username="resident")


@pytest.fixture
def intake(db):
    return UserFactory(username="intake", roles=[roles.INTAKE_OFFICER])


@pytest.fixture
def handler_a(db, dept_a):
    user = UserFactory(username="handler_a", roles=[roles.DEPARTMENT_HANDLER])
    member_of(user, dept_a)
    return user


@pytest.fixture
def handler_b(db, dept_b):
    user = UserFactory(username="handler_b", roles=[roles.DEPARTMENT_HANDLER])
    member_of(user, dept_b)
    return user


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", roles=[roles.EDITOR])


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst", roles=[roles.ANALYST])


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", roles=[roles.ADMINISTRATOR])


REPORTER = {"name": "张保密", "phone": "13912345678", "email": "secret.reporter@example.org"}


@pytest.fixture
def submit(category, subdistrict):
    def _submit(
        *, real_name=True, now=T0, description="工地扬尘很大，夜间也在施工，没有覆盖防尘网。", **kw
    ):
        fields = {
            "category": category,
            "subdistrict": subdistrict,
            "address": "东华街道攀枝花大道东段123号附近工地",
            "observed_at": now - dt.timedelta(hours=2),
            "description": description,
            "now": now,
        }
        if real_name:
            fields.update(confidentiality=Confidentiality.REAL_NAME, consent=True, **REPORTER)
        else:
            fields.update(confidentiality=Confidentiality.ANONYMOUS)
        fields.update(kw)
        return workflow.tipoff_submit(**fields)

    return _submit


@pytest.fixture
def case_in(submit, intake, handler_a, dept_a):
    """Drive a fresh real-name report to the given state through the workflow."""

    def _case_in(state: str, *, now=T0):
        t = submit(now=now)
        if state == State.SUBMITTED:
            return t
        if state == State.NOT_ACCEPTED:
            return workflow.tipoff_not_accept(
                tipoff=t,
                actor=intake,
                reason=NotAcceptedReason.LITIGATION,
                detail="已进入诉讼",
                now=now,
            )
        if state == State.MERGED:
            master = submit(now=now)
            return workflow.tipoff_merge(tipoff=t, master=master, actor=intake, now=now)
        t = workflow.tipoff_accept(tipoff=t, actor=intake, now=now)
        if state == State.ACCEPTED:
            return t
        t = workflow.tipoff_assign(tipoff=t, actor=intake, departments=[dept_a], now=now)
        if state == State.ASSIGNED:
            return t
        t = workflow.tipoff_start_investigation(tipoff=t, actor=handler_a, now=now)
        if state == State.INVESTIGATING:
            return t
        t = workflow.tipoff_resolve(
            tipoff=t,
            actor=handler_a,
            finding="true",
            measures="责令停工整改，覆盖防尘网",
            public_reply="经查属实，已责令整改。",
            now=now,
        )
        if state == State.RESOLVED:
            return t
        if state == State.CLOSED:
            return workflow.tipoff_close(tipoff=t, actor=intake, now=now)
        if state == State.REOPENED:
            return workflow.tipoff_request_review(tipoff=t, reason="问题仍然存在", now=now)
        raise AssertionError(state)

    return _case_in


def jpeg_bytes(*, size=(64, 48), exif_gps=True, fmt="JPEG") -> bytes:
    image = Image.new("RGB", size, (120, 160, 90))
    out = io.BytesIO()
    if exif_gps and fmt == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"  # Make
        exif[0x8825] = {1: "N", 2: (26.0, 35.0, 12.0), 3: "E", 4: (101.0, 43.0, 5.0)}  # GPS
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)
