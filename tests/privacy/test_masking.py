"""The applicant's ID number is masked in the admin and revealed only with the permission; every
reveal is logged. Requests from people without an account run on a 15-working-day clock with an
event log."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from disclosure import workflow
from portal.privacy.masking import mask_email, mask_id_number, mask_phone
from portal.privacy.models import DataReveal, SubjectRequest

pytestmark = pytest.mark.django_db
VALID_ID = "11010519491231002X"


@pytest.fixture
def request_obj(db):
    r, _ = workflow.request_submit(
        data={
            "applicant_type": "person",
            "applicant_name": "张三",
            "id_type": "resident_id",
            "id_number": VALID_ID,
            "phone": "13811112222",
            "email": "zhang@example.org",
            "description": "请公开2024年饮用水水源地水质监测数据。",
            "delivery": "email",
        },
        submission_token=uuid.uuid4(),
        on_date=dt.date(2025, 9, 25),
    )
    return r


def test_masks_keep_only_what_identifies_the_record():
    assert mask_id_number(VALID_ID) == "*" * 14 + "002X"
    assert mask_phone("13811112222") == "138****2222"
    assert mask_email("zhang@example.org") == "z***@example.org"
    assert mask_phone("") == mask_id_number(None) == ""


def test_the_officer_sees_a_masked_id_and_a_logged_reveal(client, disclosure_officer, request_obj):
    client.force_login(disclosure_officer)
    url = reverse("disclosure_admin:detail", args=[request_obj.pk])
    page = client.get(url).content.decode()
    assert VALID_ID not in page
    assert "*" * 14 + "002X" in page
    assert not DataReveal.objects.exists()

    revealed = client.post(url, {"action": "reveal_id", "purpose": "verify applicant"})
    assert revealed.status_code == 200
    assert VALID_ID in revealed.content.decode()
    log = DataReveal.objects.get()
    assert log.actor == disclosure_officer and log.field == "id_number"
    assert request_obj.tracking_number in log.record and VALID_ID not in log.record
    # The next page view is masked again.
    assert VALID_ID not in client.get(url).content.decode()


def test_without_the_permission_there_is_no_reveal_and_nothing_is_logged(
    client, administrator, request_obj
):
    # Administrators process requests but do not hold the reveal right (portal.roles).
    client.force_login(administrator)
    url = reverse("disclosure_admin:detail", args=[request_obj.pk])
    page = client.get(url).content.decode()
    assert VALID_ID not in page and "reveal_id" not in page
    response = client.post(url, {"action": "reveal_id"})
    assert response.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect
    assert VALID_ID not in response.content.decode()
    assert not DataReveal.objects.exists()


def test_a_request_without_an_account_runs_on_15_working_days_with_an_event_log(
    client, administrator, resident
):
    client.force_login(administrator)
    add_url = reverse("wagtailsnippets_privacy_subjectrequest:add")
    response = client.post(
        add_url,
        {
            "kind": "access",
            "relation": "applicant",
            "received_on": "2025-09-25",
            "requester_name": "张三",
            "requester_contact": "13811112222",
            "records": "YSQ2025ABCDEFGH",
            "details": "我想知道你们保存了我的哪些信息。",
            "status": "received",
            "answered_on": "",
            "answer": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    req = SubjectRequest.objects.get()
    # 15 working days after 25 September 2025: the National Day holiday (1-8 October) does not
    # count, the make-up working days (28 September, 11 October) do.
    assert req.due_on == dt.date(2025, 10, 22)
    assert req.reference.startswith("PI2025")
    edit_url = reverse("wagtailsnippets_privacy_subjectrequest:edit", args=[req.pk])
    client.post(
        edit_url,
        {
            "kind": "access",
            "relation": "applicant",
            "received_on": "2025-09-25",
            "requester_name": "张三",
            "requester_contact": "13811112222",
            "records": "YSQ2025ABCDEFGH",
            "details": "我想知道你们保存了我的哪些信息。",
            "status": "answered",
            "answered_on": "2025-10-20",
            "answer": "已邮寄书面答复。",
        },
    )
    events = list(req.events.order_by("at", "pk").values_list("what", flat=True))
    assert len(events) == 2 and "2025-10-22" in events[0]
    assert all(e.actor == administrator for e in req.events.all())
    page = client.get(edit_url).content.decode()
    assert 'data-testid="request-events"' in page
    # The clock is shown in the list; residents cannot reach the screen.
    listing = client.get(reverse("wagtailsnippets_privacy_subjectrequest:list"))
    assert listing.status_code == 200
    client.force_login(resident)
    assert client.get(reverse("wagtailsnippets_privacy_subjectrequest:list")).status_code in (
        302,
        403,
    )
