"""One transition core for every state machine of the portal.

Each app declares its state machine as a table of :class:`Transition` rows in a
:class:`StateMachine` (tip-offs in ``portal/tipoffs/workflow.py``, requests for disclosure in
``disclosure/workflow.py``, redemptions in ``portal/learning/services.py``). One helper,
:func:`transition`, runs any row the same way:

1. look the action up (an unknown action is a programming error: :class:`UnknownTransition`);
2. open a transaction — durable when the caller is not already in one, so the state and its
   event are on disk when the call returns; inside a caller's transaction (the demo seeders, a
   bulk command) a savepoint, so a refused step rolls back alone;
3. lock the row (``select_for_update``) and re-read it: the state checked is the committed one,
   never the caller's stale copy, and two officers cannot both move the same row;
4. ask the policy (the app's existing guard, e.g. ``workflow.is_intake``): a refusal raises the
   machine's ``PermissionDenied`` subclass before anything about the row's state is revealed;
5. check the from-state: the machine's ``ValidationError`` subclass, with a translated message;
6. set the target state, apply the row's field changes, save, write the event row;
7. run the notification rule inside the same transaction — notifications are outbox rows, so
   they commit or roll back with the state — and register every ``ctx.after_commit`` callback
   with ``transaction.on_commit``: nothing leaves the process unless the transaction commits.

A failure anywhere (apply, event, notification rule) rolls back the state, the event and the
outbox rows together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class TransitionNotAllowed(ValidationError):
    """The row is not in a state that allows this step."""


class TransitionForbidden(PermissionDenied):
    """The actor may not take this step on this row."""


class UnknownTransition(LookupError):
    """The machine has no such action (a programming error, never user input)."""


Policy = Callable[[Any, Any], bool]


@dataclass
class Context:
    """What one run of a transition knows; ``apply``, ``target`` and ``notify`` receive it."""

    machine: StateMachine
    transition: Transition
    obj: Any
    actor: Any
    now: dt.datetime
    data: dict
    from_state: str = ""
    to_state: str = ""
    #: Extra fields for the event row (note, public, data …), filled by ``apply``.
    event_fields: dict = field(default_factory=dict)
    event: Any = None
    #: Anything the caller should get back besides the row (e.g. an event for a note).
    result: Any = None
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction commits (never if it rolls back)."""
        self._after_commit.append(callback)


@dataclass(frozen=True)
class Transition:
    """One row of a state machine's table.

    ``sources``: the states the step starts from. ``target``: the state it ends in, a callable
    computing it from the context, or ``None`` for a step that records without moving.
    ``policy(actor, obj) -> bool``: who may take it (``None``: anyone who reached the call —
    the reporter holding a tracking code, the system). ``event``: the event kind written (or
    ``None`` for a machine without an event log). ``apply(ctx)``: field changes and the checks
    that need the locked row. ``notify(ctx)``: the notification rule.
    """

    name: str
    sources: tuple[str, ...]
    target: str | Callable[[Context], str] | None
    policy: Policy | None = None
    event: str | None = None
    apply: Callable[[Context], None] | None = None
    notify: Callable[[Context], None] | None = None
    label: Any = ""
    forbidden_message: Any = ""


def _default_not_allowed(ctx: Context) -> Exception:
    display = getattr(ctx.obj, f"get_{ctx.machine.state_field}_display", None)
    state = display() if display else ctx.from_state
    return TransitionNotAllowed(
        _("This step (%(action)s) is not possible in the state “%(state)s”.")
        % {"action": ctx.transition.label or ctx.transition.name, "state": state},
        code="invalid_transition",
    )


def _default_forbidden(ctx: Context) -> Exception:
    return TransitionForbidden(
        str(ctx.transition.forbidden_message or gettext_lazy("You may not take this step."))
    )


class StateMachine:
    """A table of transitions over one model's state field, with its event writer."""

    def __init__(
        self,
        name: str,
        *,
        model,
        state_field: str,
        transitions: Iterable[Transition],
        write_event: Callable[[Context, str], Any] | None = None,
        not_allowed: Callable[[Context], Exception] = _default_not_allowed,
        forbidden: Callable[[Context], Exception] = _default_forbidden,
        lock: Callable[[Any], Any] | None = None,
    ):
        self.name = name
        self.model = model
        self.state_field = state_field
        self.transitions: dict[str, Transition] = {}
        for row in transitions:
            if row.name in self.transitions:
                raise ValueError(f"{name}: transition {row.name!r} declared twice")
            if row.event is not None and write_event is None:
                raise ValueError(f"{name}: {row.name!r} writes an event but the machine has none")
            self.transitions[row.name] = row
        self.write_event = write_event
        self.not_allowed = not_allowed
        self.forbidden = forbidden
        self._lock = lock

    def __repr__(self) -> str:
        return f"<StateMachine {self.name}: {', '.join(self.transitions)}>"

    def sources(self) -> dict[str, tuple[str, ...]]:
        """``{action: from-states}``: the table the exhaustive tests walk."""
        return {name: row.sources for name, row in self.transitions.items()}

    def get(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise UnknownTransition(f"{self.name} has no transition {action!r}") from None

    def lock(self, obj):
        if self._lock is not None:
            return self._lock(obj)
        return self.model.objects.select_for_update().get(pk=obj.pk)

    def is_allowed(self, action: str, obj, actor) -> bool:
        """Would ``action`` pass the policy and the from-state now (for showing buttons)?"""
        row = self.get(action)
        if getattr(obj, self.state_field) not in row.sources:
            return False
        return row.policy is None or bool(row.policy(actor, obj))

    def run(self, obj, action: str, *, actor, now: dt.datetime | None = None, **data) -> Context:
        row = self.get(action)
        now = now or timezone.now()
        # Durable when we own the transaction: the step is committed when run() returns. A
        # caller's own transaction (seeders, bulk commands, tests) gets a savepoint instead.
        with transaction.atomic(durable=not connection.in_atomic_block):
            obj = self.lock(obj)
            ctx = Context(machine=self, transition=row, obj=obj, actor=actor, now=now, data=data)
            ctx.from_state = getattr(obj, self.state_field)
            if row.policy is not None and not row.policy(actor, obj):
                raise self.forbidden(ctx)
            if ctx.from_state not in row.sources:
                raise self.not_allowed(ctx)
            target = row.target(ctx) if callable(row.target) else row.target
            if target is not None:
                setattr(obj, self.state_field, target)
            if row.apply is not None:
                row.apply(ctx)  # sees the target state (deadlines depend on it)
            ctx.to_state = getattr(obj, self.state_field)
            obj.save()
            if row.event is not None:
                ctx.event = self.write_event(ctx, row.event)
            if row.notify is not None:
                row.notify(ctx)
            for callback in ctx._after_commit:
                transaction.on_commit(callback)
        return ctx


def transition(
    machine: StateMachine, obj, action: str, *, actor, now: dt.datetime | None = None, **data
) -> Context:
    """Run ``action`` of ``machine`` on ``obj`` (see the module docstring); returns the context
    (``ctx.obj`` is the locked, updated row, ``ctx.event`` its event)."""
    return machine.run(obj, action, actor=actor, now=now, **data)
