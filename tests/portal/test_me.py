"""我的 (/me/) holds my things: each app's card through ``portal_me_sections`` shows the signed-in
user's own reports, requests, surveys and redemptions — never a second person's, and never a
survey answer."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure import workflow as disclosure_workflow
from portal.learning import services as learning_services
from portal.learning.models import LedgerEntry, Reward
from portal.tipoffs import workflow as tipoff_workflow
from portal.tipoffs.models import Category, Confidentiality
from surveys.models import Participation
from tests.factories import SubdistrictFactory, UserFactory
from tests.surveys.builders import build_survey

pytestmark = pytest.mark.django_db

SEPT_25 = dt.date(2025, 9, 25)


def file_report(user, *, description: str, real_name: bool = True):
    fields = {
        "category": Category.objects.get(code="air-dust"),
        "subdistrict": SubdistrictFactory(code="donghua", name="东华街道"),
        "address": "东华街道攀枝花大道东段123号附近工地",
        "observed_at": timezone.now() - dt.timedelta(hours=2),
        "description": description,
        "user": user,
    }
    if real_name:
        fields.update(
            confidentiality=Confidentiality.REAL_NAME, consent=True, name="张", phone="13912345678"
        )
    else:
        fields.update(confidentiality=Confidentiality.ANONYMOUS)
    return tipoff_workflow.tipoff_submit(**fields)


def file_request(user, *, description: str):
    data = {
        "applicant_type": "person",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "email": "zhang@example.org",
        "description": description,
        "delivery": "email",
    }
    request, _created = disclosure_workflow.request_submit(
        data=data, submission_token=uuid.uuid4(), on_date=SEPT_25, user=user
    )
    return request


def redeem(user, points=200):
    LedgerEntry.objects.create(
        user=user, amount=points, reason=LedgerEntry.Reason.SURVEY, key=f"gift:{user.pk}"
    )
    reward = Reward.objects.create(name=f"环保布袋{user.pk}", points=50, stock=5)
    return learning_services.redeem(user=user, reward_id=reward.pk, nonce="n" * 24)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def things(alice, bob):
    """The same kinds of things for two residents."""
    survey = build_survey(slug="me-survey", title="生态文明满意度调查")
    out = {}
    for user in (alice, bob):
        name = user.username
        out[name] = {
            "tipoff": file_report(user, description=f"{name}的扬尘举报，夜间施工。"),
            "anonymous": file_report(user, description=f"{name}的匿名举报。", real_name=False),
            "request": file_request(user, description=f"{name}申请公开的水质数据"),
            "redemption": redeem(user),
        }
    Participation.objects.create(survey=survey, user=alice, created_on=dt.date(2025, 10, 3))
    out["survey"] = survey
    return out


def test_my_page_lists_my_reports_requests_surveys_and_redemptions(client, alice, things):
    client.force_login(alice)
    page = client.get(reverse("me")).content.decode()
    mine = things["alice"]
    assert mine["tipoff"].display_code in page
    assert mine["tipoff"].get_state_display() in page
    assert reverse("tipoffs:track_mine", args=[mine["tipoff"].pk]) in page
    assert mine["request"].display_number in page
    assert reverse("disclosure:request_mine", args=[mine["request"].pk]) in page
    assert "生态文明满意度调查" in page and "2025-10-03" in page
    assert learning_services.format_code(mine["redemption"].code) in page
    assert reverse("learning:redemption", args=[mine["redemption"].pk]) in page
    # An anonymous report is never linked to the account.
    assert mine["anonymous"].display_code not in page
    # No admin link for a resident.
    assert 'data-testid="me-admin"' not in page


def test_a_second_persons_things_never_show(client, alice, bob, things):
    client.force_login(alice)
    page = client.get(reverse("me")).content.decode()
    theirs = things["bob"]
    assert theirs["tipoff"].display_code not in page
    assert theirs["request"].display_number not in page
    assert learning_services.format_code(theirs["redemption"].code) not in page
    client.force_login(bob)
    page = client.get(reverse("me")).content.decode()
    assert "生态文明满意度调查" not in page  # bob took no survey
    # Opening someone else's report, request or redemption from a guessed link: not found.
    mine = things["alice"]
    for url in (
        reverse("tipoffs:track_mine", args=[mine["tipoff"].pk]),
        reverse("disclosure:request_mine", args=[mine["request"].pk]),
        reverse("learning:redemption", args=[mine["redemption"].pk]),
        reverse("learning:redemption_cancel", args=[mine["redemption"].pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_my_report_opens_its_tracking_page_and_my_request_its_status(client, alice, things):
    client.force_login(alice)
    mine = things["alice"]
    response = client.get(reverse("tipoffs:track_mine", args=[mine["tipoff"].pk]))
    assert response["Location"] == reverse("tipoffs:track_case", args=[mine["tipoff"].pk])
    assert client.get(response["Location"]).status_code == 200
    page = client.get(reverse("disclosure:request_mine", args=[mine["request"].pk]))
    assert page.status_code == 200
    assert mine["request"].display_number in page.content.decode()  # the one code format


def test_the_survey_card_shows_the_date_only_never_the_answers(client, alice, things):
    client.force_login(alice)
    page = client.get(reverse("me")).content.decode()
    card = page.split('data-testid="me-surveys"', 1)[1].split("</section>", 1)[0]
    assert "2025-10-03" in card
    assert reverse("surveys:survey", args=["me-survey"]) in card
    for word in ("answer", "choice", "results"):
        assert f"/{word}" not in card


def test_staff_get_a_link_to_the_admin(client, editor):
    client.force_login(editor)
    page = client.get(reverse("me")).content.decode()
    assert 'data-testid="me-admin"' in page and reverse("wagtailadmin_home") in page


def test_a_request_filed_signed_out_belongs_to_nobody(db):
    request = file_request(None, description="匿名访客的申请")
    assert request.user is None
