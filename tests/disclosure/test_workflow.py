"""Requests for disclosure: statutory deadlines on working days and every step an event row.

Dates are pinned: every transition takes ``on_date`` and the calendar is 2025's, whose National
Day holiday (1–8 October, make-up working days 28 September and 11 October) lies in the way.
"""

import datetime as dt
import uuid

import pytest

from disclosure import workflow
from disclosure.models import DisclosureRequest, DisclosureRequestEvent

pytestmark = pytest.mark.django_db
D = dt.date
VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


SEPT_25 = D(2025, 9, 25)


def submit(on_date=SEPT_25, **extra):
    data = {
        "applicant_type": "person",
        "applicant_name": "张三",
        "id_type": "resident_id",
        "id_number": VALID_ID,
        "email": "zhang@example.org",
        "description": "请公开2024年饮用水水源地水质监测数据。",
        "delivery": "email",
        **extra,
    }
    request, created = workflow.request_submit(
        data=data, submission_token=uuid.uuid4(), on_date=on_date
    )
    assert created
    return request


def kinds(request):
    return list(request.events.order_by("at", "pk").values_list("kind", flat=True))


def test_a_request_received_before_national_day_is_due_20_working_days_later():
    request = submit(D(2025, 9, 25))
    assert request.due_on == D(2025, 10, 29)
    assert request.tracking_number.startswith("YSQ2025") and len(request.tracking_number) == 15
    assert request.id_last4 == "002X"
    assert kinds(request) == ["received"]


def test_a_supplement_restarts_the_clock_and_an_extension_adds_at_most_20_working_days(officer):
    request = submit(D(2025, 9, 25))
    request = workflow.request_ask_supplement(
        request=request, actor=officer, note="请写明监测点位。", on_date=D(2025, 9, 26)
    )
    assert request.status == DisclosureRequest.Status.SUPPLEMENT_REQUESTED
    assert request.due_on is None  # the clock has stopped
    request = workflow.request_receive_supplement(
        request=request, actor=officer, on_date=D(2025, 10, 10)
    )
    assert request.clock_start == D(2025, 10, 10)
    assert request.due_on == D(2025, 11, 6)
    request = workflow.request_extend(
        request=request,
        actor=officer,
        days=20,
        reason="需要汇总多个站点的数据。",
        on_date=D(2025, 11, 3),
    )
    assert request.due_on == D(2025, 12, 4)
    assert kinds(request) == ["received", "supplement_requested", "supplemented", "extended"]
    event = request.events.get(kind="extended")
    assert (event.actor, event.from_status, event.to_status, event.due_on) == (
        officer,
        "processing",
        "processing",
        D(2025, 12, 4),
    )


def test_a_supplement_may_be_asked_only_once_and_within_7_working_days(officer):
    request = submit(D(2025, 9, 25))
    with pytest.raises(workflow.TransitionError, match="7 working days|7个工作日"):
        workflow.request_ask_supplement(
            request=request, actor=officer, note="请补正。", on_date=D(2025, 10, 13)
        )
    # 11 October 2025 (a make-up Saturday) is still the 7th working day.
    request = workflow.request_ask_supplement(
        request=request, actor=officer, note="请补正。", on_date=D(2025, 10, 11)
    )
    request = workflow.request_receive_supplement(
        request=request, actor=officer, on_date=D(2025, 10, 13)
    )
    with pytest.raises(workflow.TransitionError, match="only once|只能告知一次"):
        workflow.request_ask_supplement(
            request=request, actor=officer, note="再次补正。", on_date=D(2025, 10, 14)
        )


def test_third_party_consultation_days_do_not_count(officer):
    request = submit(D(2025, 9, 25))
    request = workflow.request_start_consultation(
        request=request, actor=officer, note="征求某公司意见。", on_date=D(2025, 9, 26)
    )
    assert "2025-10-23" in request.events.get(kind="consultation_started").note  # 15 working days
    request = workflow.request_end_consultation(
        request=request, actor=officer, on_date=D(2025, 10, 13)
    )
    assert request.paused_working_days == 7
    assert request.due_on == D(2025, 11, 7)


def test_an_extension_beyond_the_legal_maximum_or_twice_is_refused_and_nothing_is_saved(officer):
    request = submit(D(2025, 9, 25))
    with pytest.raises(workflow.TransitionError, match="1 to 20|1至20个工作日"):
        workflow.request_extend(
            request=request, actor=officer, days=21, reason="原因", on_date=D(2025, 10, 9)
        )
    with pytest.raises(workflow.TransitionError, match="reason|理由"):
        workflow.request_extend(
            request=request, actor=officer, days=5, reason=" ", on_date=D(2025, 10, 9)
        )
    request.refresh_from_db()
    assert (request.extension_days, request.due_on) == (0, D(2025, 10, 29))
    workflow.request_extend(
        request=request, actor=officer, days=5, reason="原因", on_date=D(2025, 10, 9)
    )
    with pytest.raises(workflow.TransitionError, match="only once|只能延长一次"):
        workflow.request_extend(
            request=request, actor=officer, days=5, reason="原因", on_date=D(2025, 10, 10)
        )
    with pytest.raises(workflow.TransitionError, match="already passed|期限已过"):
        other = submit(D(2025, 9, 25))
        workflow.request_extend(
            request=other, actor=officer, days=5, reason="原因", on_date=D(2025, 10, 30)
        )
    assert DisclosureRequestEvent.objects.filter(kind="extended").count() == 1


def test_a_reply_type_that_needs_a_reason_is_refused_without_one(officer):
    request = submit()
    with pytest.raises(workflow.TransitionError, match="legal basis|法律依据"):
        workflow.request_reply(
            request=request,
            actor=officer,
            reply_type="withheld_third",
            text="不予公开。",
            on_date=D(2025, 10, 9),
        )
    request.refresh_from_db()
    assert request.status == "received" and kinds(request) == ["received"]
    request = workflow.request_reply(
        request=request,
        actor=officer,
        reply_type="withheld_third",
        text="不予公开。",
        reason="涉及第三方商业秘密，第三方不同意公开（第十五条）。",
        on_date=D(2025, 10, 9),
    )
    assert (request.status, request.replied_on) == ("replied", D(2025, 10, 9))
    request = workflow.request_close(request=request, actor=officer, on_date=D(2025, 10, 10))
    assert kinds(request) == ["received", "replied", "closed"]


def test_full_disclosure_needs_no_reason_but_a_closed_request_cannot_be_replied_again(officer):
    request = submit()
    workflow.request_reply(
        request=request,
        actor=officer,
        reply_type="disclosed",
        text="见附件。",
        on_date=D(2025, 10, 9),
    )
    with pytest.raises(workflow.TransitionError):
        workflow.request_reply(
            request=request,
            actor=officer,
            reply_type="disclosed",
            text="again",
            on_date=D(2025, 10, 9),
        )


def test_a_complaint_sent_as_a_request_is_redirected_under_article_39(officer):
    request = submit(description="楼下烧烤店油烟扰民，请处理。")
    request = workflow.request_redirect(
        request=request, actor=officer, note="请通过环境污染举报渠道反映。", on_date=D(2025, 9, 26)
    )
    assert (request.status, request.redirected, request.reply_type) == (
        "closed",
        True,
        "np_complaint",
    )
    assert kinds(request) == ["received", "redirected"]


def test_while_a_supplement_is_awaited_only_the_no_supplement_reply_is_possible(officer):
    request = submit()
    workflow.request_ask_supplement(
        request=request, actor=officer, note="请补正。", on_date=D(2025, 9, 26)
    )
    with pytest.raises(workflow.TransitionError):
        workflow.request_reply(
            request=request, actor=officer, reply_type="disclosed", text="x", on_date=D(2025, 11, 1)
        )
    request = workflow.request_reply(
        request=request,
        actor=officer,
        reply_type="other_no_supplement",
        text="您未在期限内补正，视为放弃申请。",
        reason="第三十条",
        on_date=D(2025, 11, 1),
    )
    assert request.status == "replied"


def test_the_same_form_token_submitted_twice_files_one_request():
    token = uuid.uuid4()
    data = {
        "applicant_type": "person",
        "applicant_name": "李四",
        "id_type": "resident_id",
        "id_number": VALID_ID,
        "phone": "13800000000",
        "description": "请公开……",
        "delivery": "online",
    }
    first, created = workflow.request_submit(
        data=data, submission_token=token, on_date=D(2025, 9, 25)
    )
    second, created_again = workflow.request_submit(
        data=data, submission_token=token, on_date=D(2025, 9, 25)
    )
    assert created and not created_again and first.pk == second.pk
    assert DisclosureRequest.objects.count() == 1


def test_queues_split_overdue_due_soon_and_paused(officer):
    overdue = submit(D(2025, 9, 1))
    due_soon = submit(D(2025, 9, 25))
    paused = submit(D(2025, 10, 20))
    workflow.request_start_consultation(
        request=paused, actor=officer, note="征求意见", on_date=D(2025, 10, 21)
    )
    later = submit(D(2025, 10, 24))
    from disclosure.selectors import request_queues

    queues = request_queues(user=officer, today=D(2025, 10, 23))
    assert [r.pk for r in queues["overdue"]] == [overdue.pk]
    late = queues["overdue"][0]
    assert late.days_overdue > 0 and late.days_overdue == -late.days_left
    assert [r.pk for r in queues["due_soon"]] == [due_soon.pk]
    assert (
        due_soon.pk in [r.pk for r in queues["due_soon"]] and queues["due_soon"][0].days_left == 4
    )
    assert [r.pk for r in queues["paused"]] == [paused.pk]
    assert [r.pk for r in queues["other"]] == [later.pk]


def test_a_resident_sees_no_queue(resident):
    from disclosure.selectors import request_queues

    submit()
    assert all(not rows for rows in request_queues(user=resident, today=D(2025, 10, 1)).values())


def test_a_step_dated_before_the_receipt_is_refused_and_nothing_is_saved(officer):
    request = submit(D(2025, 9, 25))
    for step, kwargs in [
        (workflow.request_ask_supplement, {"note": "请补正。"}),
        (workflow.request_start_consultation, {"note": "征求第三方意见。"}),
        (workflow.request_extend, {"days": 5, "reason": "原因"}),
        (workflow.request_reply, {"reply_type": "disclosed", "text": "见附件。"}),
        (workflow.request_redirect, {"note": "请向信访部门反映。"}),
    ]:
        with pytest.raises(workflow.TransitionError, match="before the request was received|早于"):
            step(request=request, actor=officer, on_date=D(2025, 9, 24), **kwargs)
    request.refresh_from_db()
    assert request.status == DisclosureRequest.Status.RECEIVED
    assert kinds(request) == ["received"]
