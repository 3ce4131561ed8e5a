"""The transition core (portal/transitions.py): lock, policy, from-state, one transaction for the
state, its event and its notifications, and after-commit scheduling.

The core is exercised through the real tip-off table and through small machines over the same
model whose rows fail on purpose (the event writer or the notification rule raising)."""

# ruff: noqa: F811 (the tip-off fixtures are imported, then requested by name)
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal import transitions
from portal.models import Notification
from portal.tipoffs import notifications, workflow
from portal.tipoffs.models import EventKind, State, Tipoff, TipoffEvent
from portal.transitions import StateMachine, Transition, transition
from tests.factories import UserFactory
from tests.tipoffs.conftest import (  # noqa: F401 (fixtures)
    T0,
    _calendar_2027,
    _private_storage_in_memory,
    category,
    dept_a,
    handler_a,
    intake,
    resident,
    subdistrict,
    submit,
)

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _boom(*args, **kwargs):
    raise Boom


def _machine(*, write_event=workflow._write_event, notify=None, after_commit=None):
    """A one-row machine over tip-offs: accept, with the given event writer / notification rule."""

    def apply(ctx):
        ctx.event_fields.update(public=True)
        if after_commit is not None:
            ctx.after_commit(after_commit)

    return StateMachine(
        "test",
        model=Tipoff,
        state_field="state",
        write_event=write_event,
        transitions=[
            Transition(
                "accept",
                (State.SUBMITTED,),
                State.ACCEPTED,
                policy=lambda actor, obj: workflow.is_intake(actor),
                event=EventKind.ACCEPTED,
                apply=apply,
                notify=notify,
            )
        ],
    )


def _snapshot(tipoff):
    tipoff = Tipoff.objects.get(pk=tipoff.pk)
    return (
        tipoff.state,
        TipoffEvent.objects.filter(tipoff=tipoff).count(),
        Notification.objects.filter(tipoff=tipoff).count(),
    )


def test_a_step_writes_the_state_its_event_and_its_notification_together(submit, intake):
    tipoff = submit()
    state, events, notices = _snapshot(tipoff)
    ctx = transition(workflow.MACHINE, tipoff, "accept", actor=intake, now=T0, note="")
    assert ctx.obj.state == State.ACCEPTED and ctx.from_state == State.SUBMITTED
    assert ctx.event.kind == EventKind.ACCEPTED and ctx.event.to_state == State.ACCEPTED
    new_state, new_events, new_notices = _snapshot(tipoff)
    assert (new_state, new_events) == (State.ACCEPTED, events + 1)
    assert new_notices > notices  # one outbox row per channel of the reporter


def test_an_unknown_action_is_an_error_and_writes_nothing(submit, intake):
    tipoff = submit()
    before = _snapshot(tipoff)
    with pytest.raises(transitions.UnknownTransition):
        transition(workflow.MACHINE, tipoff, "approve_everything", actor=intake)
    assert _snapshot(tipoff) == before


def test_a_policy_refusal_leaves_no_event_and_no_notice(submit, resident, handler_a):
    tipoff = submit()
    before = _snapshot(tipoff)
    for actor in (resident, handler_a, None):
        with pytest.raises(PermissionDenied) as exc:
            transition(workflow.MACHINE, tipoff, "accept", actor=actor, now=T0)
        assert isinstance(exc.value, workflow.TransitionForbidden)
        assert str(exc.value) == str(workflow.ONLY_INTAKE)
    assert _snapshot(tipoff) == before


def test_a_wrong_state_is_refused_with_a_translated_message(submit, intake):
    tipoff = workflow.tipoff_accept(tipoff=submit(), actor=intake, now=T0)
    before = _snapshot(tipoff)
    with pytest.raises(ValidationError) as exc:
        transition(workflow.MACHINE, tipoff, "accept", actor=intake, now=T0)
    assert isinstance(exc.value, workflow.TransitionNotAllowed)
    assert exc.value.code == "invalid_transition"
    message = exc.value.messages[0]
    assert "This step" not in message  # zh-hans is active: the message is Chinese
    assert str(Tipoff(state=State.ACCEPTED).get_state_display()) in message
    assert _snapshot(tipoff) == before


def test_the_state_is_re_read_under_the_lock_not_taken_from_the_callers_copy(submit, intake):
    stale = submit()
    workflow.tipoff_accept(tipoff=Tipoff.objects.get(pk=stale.pk), actor=intake, now=T0)
    assert stale.state == State.SUBMITTED  # the caller's copy is out of date
    with pytest.raises(workflow.TransitionNotAllowed):
        transition(workflow.MACHINE, stale, "accept", actor=intake, now=T0)
    assert TipoffEvent.objects.filter(tipoff=stale, kind=EventKind.ACCEPTED).count() == 1


def test_the_row_is_locked_before_it_is_read(submit, intake):
    tipoff = submit()
    with CaptureQueriesContext(connection) as queries:
        transition(workflow.MACHINE, tipoff, "accept", actor=intake, now=T0)
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "tipoffs_tipoff"' in q["sql"]]
    first = reads[0]
    assert f'WHERE "tipoffs_tipoff"."id" = {tipoff.pk}' in first
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in first
    # SQLite has no row locks (it serialises writers); PostgreSQL runs the assertion above.


def test_a_failing_event_write_rolls_back_the_state(submit, intake):
    tipoff = submit()
    before = _snapshot(tipoff)
    with pytest.raises(Boom):
        transition(_machine(write_event=_boom), tipoff, "accept", actor=intake, now=T0)
    assert _snapshot(tipoff) == before


def test_a_failing_notification_rule_rolls_back_state_event_and_outbox(
    submit, intake, django_capture_on_commit_callbacks
):
    tipoff = submit()
    before = _snapshot(tipoff)

    def notify_then_fail(ctx):
        notifications.notify_reporter(ctx.obj, EventKind.ACCEPTED)  # an outbox row
        raise Boom

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Boom):
        transition(_machine(notify=notify_then_fail), tipoff, "accept", actor=intake, now=T0)
    assert _snapshot(tipoff) == before
    assert callbacks == []  # nothing will be sent


def test_after_commit_work_runs_only_once_the_transaction_commits(
    submit, intake, django_capture_on_commit_callbacks
):
    ran = []
    tipoff = submit()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        transition(
            _machine(after_commit=lambda: ran.append("sent")),
            tipoff,
            "accept",
            actor=intake,
            now=T0,
        )
        assert ran == []  # not while the transaction is open
    assert ran == ["sent"] and len(callbacks) == 1


def test_after_commit_work_is_dropped_when_the_step_rolls_back(
    submit, intake, django_capture_on_commit_callbacks
):
    ran = []
    tipoff = submit()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        transition(
            _machine(write_event=_boom, after_commit=lambda: ran.append("sent")),
            tipoff,
            "accept",
            actor=intake,
            now=T0,
        )
    assert ran == [] and callbacks == []


def test_a_notice_is_sent_only_after_commit(submit, intake, django_capture_on_commit_callbacks):
    tipoff = submit()
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=T0)
    notices = Notification.objects.filter(tipoff=tipoff, event="tipoffs.accepted")
    assert notices.exists()
    assert all(n.state == Notification.State.QUEUED for n in notices)  # written, not yet sent
    assert callbacks  # the sending is queued for the commit


def test_inside_a_callers_transaction_a_refused_step_rolls_back_alone(submit, intake):
    first, second = submit(), submit()
    with transaction.atomic():
        transition(workflow.MACHINE, first, "accept", actor=intake, now=T0)
        with pytest.raises(Boom):
            transition(_machine(write_event=_boom), second, "accept", actor=intake, now=T0)
    assert Tipoff.objects.get(pk=first.pk).state == State.ACCEPTED
    assert Tipoff.objects.get(pk=second.pk).state == State.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_step_is_committed_durably(subdistrict):
    # An earlier transactional test's flush may have removed what the migrations seed: the
    # taxonomy and the intake group's permissions. Put back what this test needs.
    from django.apps import apps

    from portal import roles
    from portal.tipoffs.models import Category
    from portal.tipoffs.taxonomy import seed_taxonomy

    if not Category.objects.filter(code="air-dust").exists():
        seed_taxonomy(Category)
    roles.grant_permissions(
        apps, roles.INTAKE_OFFICER, ["tipoffs.intake_tipoff", "tipoffs.view_tipoff"]
    )
    intake = UserFactory(username="intake-durable", roles=[roles.INTAKE_OFFICER])
    tipoff = workflow.tipoff_submit(
        category=Category.objects.get(code="air-dust"),
        subdistrict=subdistrict,
        address="炳草岗大街 1 号",
        latitude=None,
        longitude=None,
        observed_at=T0,
        description="工地夜间施工，扬尘很大，影响附近居民休息。",
        extra_answers={},
        confidentiality="anonymous",
        now=T0,
    )
    assert not connection.in_atomic_block
    transition(workflow.MACHINE, tipoff, "accept", actor=intake, now=T0)
    assert not connection.in_atomic_block
    assert Tipoff.objects.get(pk=tipoff.pk).state == State.ACCEPTED


def test_a_machine_refuses_a_duplicate_row_or_an_event_without_a_log():
    row = Transition("go", ("a",), "b")
    with pytest.raises(ValueError):
        StateMachine("dup", model=Tipoff, state_field="state", transitions=[row, row])
    with pytest.raises(ValueError):
        StateMachine(
            "no-log",
            model=Tipoff,
            state_field="state",
            transitions=[Transition("go", ("a",), "b", event="x")],
        )


@pytest.mark.parametrize(
    "machine",
    ["portal.tipoffs.workflow.MACHINE", "disclosure.workflow.MACHINE"],
)
def test_every_state_named_in_a_table_exists(machine):
    from django.utils.module_loading import import_string

    machine = import_string(machine)
    field = machine.model._meta.get_field(machine.state_field)
    valid = {value for value, _label in field.choices}
    for row in machine.transitions.values():
        assert set(row.sources) <= valid, row.name
        if isinstance(row.target, str):
            assert row.target in valid, row.name
