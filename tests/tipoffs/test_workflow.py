"""The state machine: every allowed and every forbidden transition, roles, events, merge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.tipoffs import workflow
from portal.tipoffs.models import (
    EventKind,
    Finding,
    NotAcceptedReason,
    State,
    Tipoff,
    TipoffEvent,
)
from tests.tipoffs.conftest import T0

pytestmark = pytest.mark.django_db

ALL_STATES = list(State.values)


def run(action, tipoff, *, intake, handler_a, dept_a, submit, reporter_now=None):
    """Perform ``action`` on ``tipoff`` with the actor entitled to it (state permitting)."""
    now = reporter_now or T0
    if action == "accept":
        return workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=now)
    if action == "not_accept":
        return workflow.tipoff_not_accept(
            tipoff=tipoff,
            actor=intake,
            reason=NotAcceptedReason.OUT_OF_SCOPE,
            detail="请向市场监管局反映",
            now=now,
        )
    if action == "assign":
        return workflow.tipoff_assign(tipoff=tipoff, actor=intake, departments=[dept_a], now=now)
    if action == "start_investigation":
        actor = handler_a
        if not tipoff.assignments.exists():
            tipoff.assignments.create(department=dept_a)
        return workflow.tipoff_start_investigation(tipoff=tipoff, actor=actor, now=now)
    if action == "extend":
        return workflow.tipoff_extend(
            tipoff=tipoff, actor=intake, days=10, reason="需要检测", now=now
        )
    if action == "resolve":
        if not tipoff.assignments.exists():
            tipoff.assignments.create(department=dept_a)
        return workflow.tipoff_resolve(
            tipoff=tipoff,
            actor=handler_a,
            finding=Finding.TRUE,
            measures="整改",
            public_reply="已处理",
            now=now,
        )
    if action == "close":
        return workflow.tipoff_close(tipoff=tipoff, actor=intake, now=now)
    if action == "rate":
        return workflow.tipoff_rate(tipoff=tipoff, rating=5, now=now)
    if action == "request_review":
        return workflow.tipoff_request_review(tipoff=tipoff, reason="仍有扬尘", now=now)
    if action == "merge":
        master = submit()
        return workflow.tipoff_merge(tipoff=tipoff, master=master, actor=intake, now=now)
    if action == "add_information":
        return workflow.tipoff_add_information(tipoff=tipoff, text="补充：早上七点最严重", now=now)
    if action == "follow":
        return workflow.tipoff_follow(tipoff=tipoff, master=submit(), now=now)
    raise AssertionError(action)


CASES = [
    (action, state, state in allowed)
    for action, allowed in workflow.TRANSITIONS.items()
    for state in ALL_STATES
]


@pytest.mark.parametrize(
    ("action", "state", "allowed"),
    CASES,
    ids=[f"{a}-from-{s}-{'ok' if ok else 'refused'}" for a, s, ok in CASES],
)
def test_every_transition_is_allowed_exactly_from_its_states(
    action, state, allowed, case_in, intake, handler_a, dept_a, submit
):
    tipoff = case_in(state)
    events_before = TipoffEvent.objects.filter(tipoff=tipoff).count()
    if allowed:
        result = run(
            action, tipoff, intake=intake, handler_a=handler_a, dept_a=dept_a, submit=submit
        )
        result = result if isinstance(result, Tipoff) else Tipoff.objects.get(pk=tipoff.pk)
        assert TipoffEvent.objects.filter(tipoff=tipoff).count() > events_before
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            run(action, tipoff, intake=intake, handler_a=handler_a, dept_a=dept_a, submit=submit)
        tipoff.refresh_from_db()
        assert tipoff.state == state
        assert TipoffEvent.objects.filter(tipoff=tipoff).count() == events_before


EXPECTED_TARGET = {
    ("accept", State.SUBMITTED): State.ACCEPTED,
    ("not_accept", State.SUBMITTED): State.NOT_ACCEPTED,
    ("assign", State.ACCEPTED): State.ASSIGNED,
    ("assign", State.REOPENED): State.REOPENED,
    ("start_investigation", State.ASSIGNED): State.INVESTIGATING,
    ("start_investigation", State.REOPENED): State.INVESTIGATING,
    ("resolve", State.INVESTIGATING): State.RESOLVED,
    ("close", State.RESOLVED): State.CLOSED,
    ("rate", State.RESOLVED): State.CLOSED,
    ("rate", State.CLOSED): State.CLOSED,
    ("request_review", State.RESOLVED): State.REOPENED,
    ("request_review", State.CLOSED): State.REOPENED,
    ("merge", State.SUBMITTED): State.MERGED,
    ("follow", State.SUBMITTED): State.MERGED,
    ("extend", State.INVESTIGATING): State.INVESTIGATING,
}


@pytest.mark.parametrize(("key", "target"), list(EXPECTED_TARGET.items()), ids=lambda v: str(v))
def test_each_transition_lands_in_its_state_and_records_from_and_to(
    key, target, case_in, intake, handler_a, dept_a, submit
):
    action, state = key
    tipoff = case_in(state)
    run(action, tipoff, intake=intake, handler_a=handler_a, dept_a=dept_a, submit=submit)
    tipoff.refresh_from_db()
    assert tipoff.state == target
    event = tipoff.events.order_by("-pk").first()
    assert event.from_state == state
    assert event.to_state == target


@pytest.mark.parametrize("who", ["resident", "handler_a", "editor", "analyst", "administrator"])
@pytest.mark.parametrize("action", ["accept", "not_accept", "assign", "merge", "close"])
def test_only_intake_officers_take_intake_steps(who, action, request, case_in, submit, dept_a):
    actor = request.getfixturevalue(who)
    start = {"close": State.RESOLVED, "assign": State.ACCEPTED}.get(action, State.SUBMITTED)
    tipoff = case_in(start)
    calls = {
        "accept": lambda: workflow.tipoff_accept(tipoff=tipoff, actor=actor),
        "not_accept": lambda: workflow.tipoff_not_accept(
            tipoff=tipoff, actor=actor, reason=NotAcceptedReason.LITIGATION
        ),
        "assign": lambda: workflow.tipoff_assign(tipoff=tipoff, actor=actor, departments=[dept_a]),
        "merge": lambda: workflow.tipoff_merge(tipoff=tipoff, master=submit(), actor=actor),
        "close": lambda: workflow.tipoff_close(tipoff=tipoff, actor=actor),
    }
    with pytest.raises(PermissionDenied):
        calls[action]()
    tipoff.refresh_from_db()
    assert tipoff.state == start


@pytest.mark.parametrize(
    "who", ["resident", "handler_b", "editor", "analyst", "administrator", "intake"]
)
def test_only_a_handler_of_an_assigned_department_investigates_and_resolves(who, request, case_in):
    actor = request.getfixturevalue(who)
    assigned = case_in(State.ASSIGNED)
    with pytest.raises(PermissionDenied):
        workflow.tipoff_start_investigation(tipoff=assigned, actor=actor)
    investigating = case_in(State.INVESTIGATING)
    with pytest.raises(PermissionDenied):
        workflow.tipoff_resolve(
            tipoff=investigating, actor=actor, finding=Finding.TRUE, measures="x", public_reply="y"
        )
    assert Tipoff.objects.get(pk=investigating.pk).state == State.INVESTIGATING


def test_a_forged_transition_on_a_stale_object_is_checked_against_the_database(case_in, intake):
    tipoff = case_in(State.SUBMITTED)
    stale = Tipoff.objects.get(pk=tipoff.pk)
    workflow.tipoff_accept(tipoff=tipoff, actor=intake)
    with pytest.raises(workflow.TransitionNotAllowed, match="not possible|不能执行此操作"):
        workflow.tipoff_accept(tipoff=stale, actor=intake)
    assert tipoff.events.filter(kind=EventKind.ACCEPTED).count() == 1


def test_the_extension_is_granted_once_and_at_most_thirty_days(case_in, handler_a):
    tipoff = case_in(State.INVESTIGATING)
    with pytest.raises(ValidationError):
        workflow.tipoff_extend(tipoff=tipoff, actor=handler_a, days=31, reason="太复杂")
    with pytest.raises(ValidationError):
        workflow.tipoff_extend(tipoff=tipoff, actor=handler_a, days=10, reason=" ")
    workflow.tipoff_extend(tipoff=tipoff, actor=handler_a, days=30, reason="需要委托检测")
    with pytest.raises(workflow.TransitionNotAllowed, match="already been extended|已延长过一次"):
        workflow.tipoff_extend(tipoff=tipoff, actor=handler_a, days=1, reason="再延一次")


def test_a_handler_of_another_department_cannot_extend(case_in, handler_b):
    with pytest.raises(PermissionDenied):
        workflow.tipoff_extend(tipoff=case_in(State.ASSIGNED), actor=handler_b, days=5, reason="x")


def test_not_accepting_needs_a_reason_and_the_right_detail(case_in, intake, submit):
    tipoff = case_in(State.SUBMITTED)
    with pytest.raises(ValidationError):
        workflow.tipoff_not_accept(
            tipoff=tipoff, actor=intake, reason=NotAcceptedReason.OUT_OF_SCOPE
        )
    with pytest.raises(ValidationError):
        workflow.tipoff_not_accept(
            tipoff=tipoff, actor=intake, reason=NotAcceptedReason.ALREADY_HANDLED
        )
    master = submit()
    workflow.tipoff_not_accept(
        tipoff=tipoff, actor=intake, reason=NotAcceptedReason.ALREADY_HANDLED, master=master
    )
    tipoff.refresh_from_db()
    assert tipoff.master == master
    # The public event names the master by reference; its tracking code would open it.
    data = tipoff.events.get(kind=EventKind.NOT_ACCEPTED).data
    assert data["master_ref"] == master.reference
    assert master.tracking_code not in str(data)


def test_review_must_be_asked_within_thirty_days_and_only_once(case_in):
    tipoff = case_in(State.RESOLVED)
    late = T0 + dt.timedelta(days=31)
    with pytest.raises(workflow.TransitionNotAllowed, match="within 30 days|30日内"):
        workflow.tipoff_request_review(tipoff=tipoff, reason="不满意", now=late)
    workflow.tipoff_request_review(tipoff=tipoff, reason="不满意", now=T0 + dt.timedelta(days=30))
    tipoff.refresh_from_db()
    assert tipoff.state == State.REOPENED
    assert tipoff.due_date is not None


def test_a_reopened_case_cannot_be_reviewed_twice(case_in, handler_a):
    tipoff = case_in(State.REOPENED)
    workflow.tipoff_start_investigation(tipoff=tipoff, actor=handler_a)
    workflow.tipoff_resolve(
        tipoff=tipoff,
        actor=handler_a,
        finding=Finding.PARTLY_TRUE,
        measures="复查",
        public_reply="复查意见",
    )
    with pytest.raises(workflow.TransitionNotAllowed, match="already been asked|已申请过复查"):
        workflow.tipoff_request_review(tipoff=tipoff, reason="再次复查")


def test_a_rating_is_one_to_five_and_given_once(case_in):
    tipoff = case_in(State.RESOLVED)
    with pytest.raises(ValidationError):
        workflow.tipoff_rate(tipoff=tipoff, rating=6)
    workflow.tipoff_rate(tipoff=tipoff, rating=4, comment="处理及时")
    tipoff.refresh_from_db()
    assert (tipoff.state, tipoff.rating) == (State.CLOSED, 4)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.tipoff_rate(tipoff=tipoff, rating=5)


def test_every_event_names_its_actor_and_states(case_in, intake, handler_a):
    tipoff = case_in(State.CLOSED)
    kinds = list(tipoff.events.values_list("kind", "actor_role", "from_state", "to_state"))
    assert kinds[0] == (EventKind.SUBMITTED, "reporter", "", State.SUBMITTED)
    assert (EventKind.ACCEPTED, "intake", State.SUBMITTED, State.ACCEPTED) in kinds
    assert (EventKind.RESOLVED, "department", State.INVESTIGATING, State.RESOLVED) in kinds
    assert tipoff.events.get(kind=EventKind.RESOLVED).department.code == "dept-a"
    assert tipoff.events.get(kind=EventKind.ACCEPTED).actor == intake


def test_internal_notes_are_not_public_and_replies_are(case_in, handler_a, handler_b):
    tipoff = case_in(State.INVESTIGATING)
    note = workflow.tipoff_add_note(tipoff=tipoff, actor=handler_a, text="内部：企业负责人电话待核")
    reply = workflow.tipoff_add_note(
        tipoff=tipoff, actor=handler_a, text="已安排现场检查", public=True
    )
    assert not note.is_public and reply.is_public
    with pytest.raises(PermissionDenied):
        workflow.tipoff_add_note(tipoff=tipoff, actor=handler_b, text="不该写")


def test_reward_eligibility_goes_to_the_first_real_name_reporter_of_a_merged_case(
    submit, intake, handler_a, dept_a
):
    first = submit(now=T0)
    anonymous = submit(now=T0 + dt.timedelta(hours=1), real_name=False)
    second = submit(now=T0 + dt.timedelta(hours=2))
    workflow.tipoff_merge(tipoff=first, master=second, actor=intake)
    workflow.tipoff_merge(tipoff=anonymous, master=second, actor=intake)
    workflow.tipoff_accept(tipoff=second, actor=intake)
    workflow.tipoff_assign(tipoff=second, actor=intake, departments=[dept_a])
    workflow.tipoff_start_investigation(tipoff=second, actor=handler_a)
    workflow.tipoff_resolve(
        tipoff=second, actor=handler_a, finding=Finding.TRUE, measures="m", public_reply="r"
    )
    eligible = set(Tipoff.objects.filter(reward_eligible=True).values_list("pk", flat=True))
    assert eligible == {first.pk}


def test_anonymous_or_unsubstantiated_reports_are_not_reward_eligible(
    submit, case_in, intake, handler_a, dept_a
):
    anonymous = submit(real_name=False)
    workflow.tipoff_accept(tipoff=anonymous, actor=intake)
    workflow.tipoff_assign(tipoff=anonymous, actor=intake, departments=[dept_a])
    workflow.tipoff_start_investigation(tipoff=anonymous, actor=handler_a)
    workflow.tipoff_resolve(
        tipoff=anonymous, actor=handler_a, finding=Finding.TRUE, measures="m", public_reply="r"
    )
    untrue = case_in(State.INVESTIGATING)
    workflow.tipoff_resolve(
        tipoff=untrue, actor=handler_a, finding=Finding.UNTRUE, measures="m", public_reply="r"
    )
    assert not Tipoff.objects.filter(reward_eligible=True).exists()
    real = case_in(State.RESOLVED)
    assert Tipoff.objects.get(pk=real.pk).reward_eligible


def test_real_name_reports_need_consent_and_a_contact(category, subdistrict):
    base = {
        "category": category,
        "subdistrict": subdistrict,
        "address": "x路",
        "observed_at": T0,
        "description": "d",
        "confidentiality": "real_name",
    }
    with pytest.raises(ValidationError):
        workflow.tipoff_submit(**base, name="张", phone="13900000000", consent=False)
    with pytest.raises(ValidationError):
        workflow.tipoff_submit(**base, name="张", consent=True)
    assert not Tipoff.objects.exists()


def test_a_parent_category_cannot_be_chosen(subdistrict):
    from portal.tipoffs.models import Category

    with pytest.raises(ValidationError):
        workflow.tipoff_submit(
            category=Category.objects.get(code="air"),
            subdistrict=subdistrict,
            address="x",
            observed_at=T0,
            description="d",
            confidentiality="anonymous",
        )


def test_bulk_assign_accepts_and_assigns_and_reports_what_it_skipped(case_in, intake, dept_a):
    fresh = case_in(State.SUBMITTED)
    done = case_in(State.RESOLVED)
    ok, skipped = workflow.tipoffs_bulk_assign(
        tipoffs=[fresh, done], actor=intake, departments=[dept_a]
    )
    assert [t.pk for t in ok] == [fresh.pk]
    assert skipped[0][0].pk == done.pk
    assert Tipoff.objects.get(pk=fresh.pk).state == State.ASSIGNED
