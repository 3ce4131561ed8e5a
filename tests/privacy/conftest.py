"""A person with data in every app, and a second person with data alongside (issue 18)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from dataclasses import dataclass

import pytest
from django.db import connection

from disclosure import workflow as disclosure_workflow
from portal.learning import services as learning
from portal.learning.models import LedgerEntry, QuizAttempt, Reward
from portal.privacy import services as privacy
from portal.privacy.models import CollectionPoint
from portal.tipoffs import workflow as tipoff_workflow
from portal.tipoffs.models import Category, Confidentiality
from surveys.models import Participation
from tests.factories import SubdistrictFactory, UserFactory
from tests.surveys.builders import build_survey

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _private_storage_in_memory(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture(autouse=True)
def _calendar_2027(db):
    from portal.models import HolidayCalendarYear

    HolidayCalendarYear.objects.get_or_create(year=2027, defaults={"source": "test: weekends only"})


@dataclass
class Person:
    user: object
    name: str
    family_name: str
    email: str
    phone: str
    id_number: str
    tipoff: object
    request: object


IDS = {"wang": "11010519491231002X", "li": "510402198001011234"}


def make_person(key: str, *, family: str, given: str, phone: str, subdistrict, survey) -> Person:
    email = f"{key}.private@example.net"
    user = UserFactory(
        username=key,
        email=email,
        first_name=given,
        last_name=family,
        phone=phone,
        phone_verified=True,
    )
    privacy.record_consent(CollectionPoint.SIGNUP, user=user)
    name = family + given
    tipoff = tipoff_workflow.tipoff_submit(
        category=Category.objects.get(code="air-dust"),
        subdistrict=subdistrict,
        address=f"东华街道{key}路1号",
        observed_at=dt.datetime(2026, 9, 1, 8, 0, tzinfo=TZ),
        description=f"{key}: 工地扬尘很大。",
        confidentiality=Confidentiality.REAL_NAME,
        consent=True,
        name=name,
        phone=phone,
        email=email,
        user=user,
    )
    request, _created = disclosure_workflow.request_submit(
        data={
            "applicant_type": "person",
            "applicant_name": name,
            "id_type": "resident_id",
            "id_number": IDS[key],
            "phone": phone,
            "email": email,
            "address": f"攀枝花市东区{key}街2号",
            "description": f"{key}: 请公开2024年水质监测数据。",
            "delivery": "email",
        },
        submission_token=uuid.uuid4(),
        user=user,
    )
    learning.award(user=user, amount=5, reason=LedgerEntry.Reason.QUIZ, key=f"test:{key}:quiz")
    account = learning.account_for(user)
    account.nickname = f"{key}nick"
    account.on_leaderboard = True
    account.save()
    QuizAttempt.objects.create(
        user=user, kind=QuizAttempt.Kind.DAILY, date=dt.date(2026, 9, 2), correct_count=1
    )
    reward = Reward.objects.get_or_create(
        name="环保布袋", defaults={"points": 1, "stock": 5, "per_person_limit": 2}
    )[0]
    learning.redeem(user=user, reward_id=reward.pk, nonce=f"nonce-{key}-0123456789")
    Participation.objects.create(survey=survey, user=user, created_on=dt.date(2026, 9, 3))
    return Person(user, name, family, email, phone, IDS[key], tipoff, request)


@pytest.fixture
def people(db):
    subdistrict = SubdistrictFactory(code="donghua", name="东华街道")
    survey = build_survey()
    wang = make_person(
        "wang",
        family="王",
        given="秀英",
        phone="13811112222",
        subdistrict=subdistrict,
        survey=survey,
    )
    li = make_person(
        "li", family="李", given="建国", phone="13933334444", subdistrict=subdistrict, survey=survey
    )
    return wang, li


def dump_database() -> dict[str, str]:
    """Every row of every table, as text, by table (SQLite and PostgreSQL alike)."""
    out: dict[str, str] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)  # a name from the catalogue
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            out[table] = "\n".join(repr(row) for row in cursor.fetchall())
    return out
