"""Case takeover through a merge (issue 12): a report follows only a case offered to it, and a
follower never receives, sees or acts on the master's tracking code or report.

Personas: reporter 1 files the master case A; reporter 2 files B in another browser and follows A.
"""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail, signing
from django.test import Client

from portal.models import Notification
from portal.phones import normalize_phone
from portal.sms import MemorySmsSender
from portal.tipoffs import workflow
from portal.tipoffs.models import EventKind, State, Tipoff
from portal.tipoffs.views import FOLLOW_OFFER_MAX_AGE, FOLLOW_OFFER_SALT, follow_offer
from tests.tipoffs.conftest import jpeg_bytes, upload
from tests.tipoffs.test_intake import NEW, form_data

pytestmark = pytest.mark.django_db

REPORTER_1 = {"name": "李甲", "phone": "13911110001", "email": "first.reporter@example.org"}
REPORTER_2 = {"name": "王乙", "phone": "13922220002", "email": "second.reporter@example.org"}
A_DESCRIPTION = "工地扬尘很大，夜间也在施工，没有覆盖防尘网。"
B_DESCRIPTION = "工地扬尘很大，夜间也在施工，没有覆盖防尘网！"


def _file(browser, category, subdistrict, reporter, description, **extra):
    """File a report through the form; returns the report and the page shown after filing."""
    response = browser.post(
        NEW,
        form_data(category, subdistrict, description=description, **reporter, **extra),
        REMOTE_ADDR=f"10.0.0.{len(reporter['phone'])}",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tipoff = Tipoff.objects.latest("pk")
    return tipoff, browser.get(response["Location"]).content.decode()


def _secrets_of(master: Tipoff) -> list[str]:
    """Everything of A that B must never be given."""
    return [master.tracking_code, master.display_code, A_DESCRIPTION, master.address]


def _messages_to(reporter) -> list[str]:
    phone = normalize_phone(reporter["phone"])  # stored and sent in E.164 form
    sms = [str(s.params) for s in MemorySmsSender.outbox if s.phone == phone]
    emails = [f"{m.subject}\n{m.body}" for m in mail.outbox if reporter["email"] in m.to]
    return sms + emails


def _offer_from(page: str) -> str:
    match = re.search(r'name="offer" value="([^"]+)"', page)
    assert match, "the duplicate suggestion offers no case to follow"
    return match.group(1)


@pytest.fixture
def chain(category, subdistrict, django_capture_on_commit_callbacks):
    """A filed by reporter 1 (with a photo, not approved), B filed by reporter 2 with A offered."""
    first, second = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        master, _page = _file(
            first,
            category,
            subdistrict,
            REPORTER_1,
            A_DESCRIPTION,
            photos=[upload(jpeg_bytes())],
            address="东华街道攀枝花大道东段123号甲的家门口",
        )
        follower, done = _file(second, category, subdistrict, REPORTER_2, B_DESCRIPTION)
    assert master.photos.count() == 1
    return master, follower, second, done


def test_a_report_cannot_follow_a_case_by_sending_its_id_or_a_forged_offer(chain, submit):
    master, follower, browser, done = chain
    url = f"/en/tipoffs/new/{follower.pk}/follow"
    other = submit(description="另一份关于同一工地扬尘的举报")
    old_signer = type(
        "OldSigner",
        (signing.TimestampSigner,),
        {
            "timestamp": lambda self: signing.b62_encode(
                int(time.time()) - FOLLOW_OFFER_MAX_AGE - 60
            )
        },
    )
    valid = _offer_from(done)
    forged = [
        {"master": str(master.pk)},  # the old form: any open case by its id
        {"offer": str(master.pk)},
        {"offer": signing.dumps({"report": follower.pk, "master": master.pk}, salt="wrong")},
        {"offer": signing.dumps({"report": follower.pk, "master": master.pk})},  # no salt
        {"offer": follow_offer(tipoff=other, master=master)},  # offered to another report
        {"offer": valid[:-1] + ("A" if valid[-1] != "A" else "B")},  # tampered signature
        {
            "offer": old_signer(salt=FOLLOW_OFFER_SALT).sign_object(
                {"report": follower.pk, "master": master.pk}
            )
        },  # expired
    ]
    events_before = master.events.count()
    for data in forged:
        response = browser.post(url, data)
        assert response.status_code == 400, data
        assert "not valid or has expired" in response.content.decode()
        follower.refresh_from_db()
        assert follower.state == State.SUBMITTED and follower.master_id is None, data
    assert master.events.count() == events_before


def test_an_old_style_post_naming_the_master_is_refused(chain):
    master, follower, browser, _done = chain
    response = browser.post(f"/en/tipoffs/new/{follower.pk}/follow", {"master": master.pk})
    assert response.status_code == 400
    follower.refresh_from_db()
    assert follower.state == State.SUBMITTED
    assert not master.events.filter(kind=EventKind.MERGE_RECEIVED).exists()


def test_a_follower_gets_its_own_code_sees_the_outcome_and_cannot_act_on_the_master(
    chain, intake, handler_a, dept_a, django_capture_on_commit_callbacks
):
    master, follower, browser, done = chain
    # Offered after filing, followed through the offer.
    response = browser.post(f"/en/tipoffs/new/{follower.pk}/follow", {"offer": _offer_from(done)})
    assert response.status_code == 302
    follower.refresh_from_db()
    assert follower.state == State.MERGED and follower.master_id == master.pk

    # The intake office and the department handle A; reporter 2 hears of every step.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.tipoff_accept(tipoff=master, actor=intake)
    received = _messages_to(REPORTER_2)
    assert any(follower.display_code in m for m in received[-2:])  # the acceptance, SMS + email
    with django_capture_on_commit_callbacks(execute=True):
        workflow.tipoff_assign(tipoff=master, actor=intake, departments=[dept_a])
        workflow.tipoff_start_investigation(tipoff=master, actor=handler_a)
        workflow.tipoff_add_note(tipoff=master, actor=handler_a, text="已联系施工单位", public=True)
        workflow.tipoff_resolve(
            tipoff=master,
            actor=handler_a,
            finding="true",
            measures="责令停工整改，覆盖防尘网",
            public_reply="经查属实，已责令整改。",
        )
    received = _messages_to(REPORTER_2)
    # submitted + accepted, assigned, reply, resolved; each by SMS and by email
    assert len(received) == 10
    for message in received:
        assert follower.display_code in message
        for secret in _secrets_of(master):
            assert secret not in message, (secret, message)
    for row in Notification.objects.filter(tipoff=follower):
        assert row.recipient_id == follower.pk  # about B, under B's code
        assert master.tracking_code not in str(row.context)
    # Reporter 1 is told as before, under A's code.
    assert all(master.display_code in m for m in _messages_to(REPORTER_1))
    # Nothing stored on B's side holds A's code either.
    for event in follower.events.all():
        assert master.tracking_code not in str(event.data), event.kind

    # B's page: the shared outcome and A's public steps, nothing of A's report, no action.
    track = f"/en/tipoffs/track/{follower.pk}"
    page = browser.get(track).content.decode()
    assert "your report follows this case" in page
    assert "责令停工整改" in page and "经查属实" in page and "已联系施工单位" in page
    for secret in _secrets_of(master):
        assert secret not in page, secret
    photo_url = f"/en/tipoffs/photos/{master.photos.get().pk}"
    assert photo_url not in page
    assert browser.get(photo_url).status_code == 404
    assert 'name="action"' not in page  # no rating, review or add-information form
    assert browser.get(f"/en/tipoffs/track/{master.pk}").status_code == 404

    # Forged actions from B's session act on B only — and B, merged, refuses them.
    events_before = list(master.events.values_list("pk", "kind"))
    master_before = Tipoff.objects.get(pk=master.pk)
    for data in (
        {"action": "add", "text": "我是第二个举报人，补充材料", "photos": [upload(jpeg_bytes())]},
        {"action": "rate", "rating": "1", "comment": "不满意"},
        {"action": "review", "reason": "要求复查"},
    ):
        response = browser.post(track, data)
        assert response.status_code in (302, 400), data
    master.refresh_from_db()
    assert list(master.events.values_list("pk", "kind")) == events_before
    assert master.state == master_before.state == State.RESOLVED
    assert master.rating is None and master.review_requested_at is None
    assert master.photos.count() == 1
    follower.refresh_from_db()
    assert follower.state == State.MERGED and follower.rating is None
    assert follower.photos.count() == 0


def test_a_report_merged_by_staff_is_told_under_its_own_code(
    submit, intake, django_capture_on_commit_callbacks
):
    master = submit(description="主报告")
    duplicate = submit(description="重复报告", **REPORTER_2)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.tipoff_merge(tipoff=duplicate, master=master, actor=intake)
        workflow.tipoff_accept(tipoff=master, actor=intake)
    received = _messages_to(REPORTER_2)
    assert len(received) == 4  # merged, accepted; SMS and email
    assert all(duplicate.display_code in m for m in received)
    assert not any(master.display_code in m or master.tracking_code in m for m in received), (
        received
    )
    merged = duplicate.events.get(kind=EventKind.MERGED)
    assert master.tracking_code not in str(merged.data)


def test_an_offer_is_bound_to_its_report_and_case(submit):
    from portal.tipoffs.views import offered_master_id

    one, two, three = submit(), submit(), submit()
    token = follow_offer(tipoff=one, master=two)
    assert offered_master_id(token=token, tipoff=one) == two.pk
    assert offered_master_id(token=token, tipoff=three) is None
    assert offered_master_id(token=follow_offer(tipoff=one, master=one), tipoff=one) is None
