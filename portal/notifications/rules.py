"""Who is told what, by which channel: the rules table and the recipient kinds.

Each app registers its table once, when its ``AppConfig.ready()`` imports its notification module:

    register_rules({
        "tipoffs.resolved": [
            ("reporter", "sms", "tipoff_resolved"),
            ("reporter", "email", "tipoff_resolved"),
        ],
    })

A rule names a *role*; the app's entry point decides who holds that role for one event (the
reporter of a case, the members of a department) and passes them as ``Recipient`` references. A
*recipient kind* turns such a reference into a ``Contact`` (the addresses) when a row is written and
again when it is sent. The registries are filled at import time, identically in every process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured


class UnknownEvent(ImproperlyConfigured):
    """``notify()`` was called with an event that has no rules."""


class UnknownRecipientKind(ImproperlyConfigured):
    """A notification refers to a recipient kind no app registered."""


@dataclass(frozen=True)
class Rule:
    role: str
    channel: str
    template: str


@dataclass(frozen=True)
class Recipient:
    """A reference to whoever receives a notice: resolved to an address only when needed."""

    kind: str
    id: int


@dataclass(frozen=True)
class Contact:
    """The addresses of one recipient, as a recipient kind resolves them ("" = none)."""

    email: str = ""
    phone: str = ""


_rules: dict[str, tuple[Rule, ...]] = {}
_recipient_kinds: dict[str, Callable[[int], Contact | None]] = {}


def register_rules(table: Mapping[str, Iterable[tuple[str, str, str]]]) -> None:
    """Add ``event → [(role, channel, template key)]`` rows (an event is registered once)."""
    for event, rows in table.items():
        if event in _rules:
            raise ImproperlyConfigured(f"Notification rules for {event!r} are registered twice.")
        _rules[event] = tuple(Rule(*row) for row in rows)


def rules_for(event: str, *, role: str | None = None) -> tuple[Rule, ...]:
    if event not in _rules:
        raise UnknownEvent(f"No notification rules for the event {event!r}.")
    return tuple(rule for rule in _rules[event] if role is None or rule.role == role)


def has_rules(event: str, *, role: str) -> bool:
    return event in _rules and bool(rules_for(event, role=role))


def all_rules() -> dict[str, tuple[Rule, ...]]:
    return dict(_rules)


def register_recipient_kind(kind: str, resolve: Callable[[int], Contact | None]) -> None:
    """``resolve(id)`` returns the recipient's current addresses, or None if they are gone."""
    _recipient_kinds[kind] = resolve


def resolve_recipient(kind: str, recipient_id: int) -> Contact | None:
    try:
        resolve = _recipient_kinds[kind]
    except KeyError:
        raise UnknownRecipientKind(f"Unknown recipient kind {kind!r}.") from None
    return resolve(recipient_id)


def _resolve_user(user_id: int) -> Contact | None:
    """An account: its e-mail address, and its phone once verified."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return Contact(email=user.email or "", phone=(user.phone or "") if user.phone_verified else "")


register_recipient_kind("user", _resolve_user)
