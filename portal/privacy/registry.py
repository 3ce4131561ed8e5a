"""How each app tells the privacy service what it holds about a person and how long it keeps it.

Two Wagtail hooks (read here, registered in each app's ``wagtail_hooks.py``; the privacy
service imports no feature app):

``personal_data_providers``
    ``fn() -> PersonalDataProvider``: one per app. ``export(user)`` returns the person's own
    records as ``DataSection``s (the 我的数据 download), ``erase(user)`` removes or detaches
    them when the account is deleted and returns counts, ``rules`` is that app's part of the
    what-is-erased/what-is-kept table shown before deletion and in docs/privacy.md.
``retention_categories``
    ``fn() -> Iterable[RetentionCategory]``: one per data category with a retention period.
    ``purge(now=..., dry_run=...)`` removes or anonymises what is past its period and returns
    ``{table label: rows}``; ``manage.py privacy_purge`` runs them all (one transaction each,
    through ``portal.audit.retention_purge``, so every run is logged in RetentionPurgeRun).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

PROVIDERS_HOOK = "personal_data_providers"
RETENTION_HOOK = "retention_categories"


@dataclass(frozen=True)
class DataSection:
    """A table of the person's records: ``rows`` are dicts of plain values (str, int, dates)."""

    key: str
    title: str
    rows: Sequence[Mapping[str, object]]
    note: str = ""


@dataclass(frozen=True)
class ErasureRule:
    """One row of the what-is-erased/what-is-kept table."""

    what: str
    outcome: str  # "erased" | "kept" | "detached"
    basis: str


@dataclass(frozen=True)
class PersonalDataProvider:
    key: str
    export: Callable[[object], Sequence[DataSection]]
    erase: Callable[[object], Mapping[str, int]]
    rules: Callable[[], Sequence[ErasureRule]]
    order: int = 100


@dataclass(frozen=True)
class RetentionCategory:
    key: str
    label: str
    period: Callable[[], str]  # the configured period, in words, with its setting name
    purge: Callable[..., Mapping[str, int]]  # purge(now=datetime, dry_run=bool)
    order: int = 100
    tables: Sequence[str] = field(default_factory=tuple)


def providers() -> list[PersonalDataProvider]:
    found = [fn() for fn in hooks.get_hooks(PROVIDERS_HOOK)]
    keys = [p.key for p in found]
    if len(keys) != len(set(keys)):
        raise ImproperlyConfigured(f"Two personal data providers share a key: {keys}")
    return sorted(found, key=lambda p: (p.order, p.key))


def retention_categories() -> list[RetentionCategory]:
    found: list[RetentionCategory] = []
    for fn in hooks.get_hooks(RETENTION_HOOK):
        found.extend(fn())
    keys = [c.key for c in found]
    if len(keys) != len(set(keys)):
        raise ImproperlyConfigured(f"Two retention categories share a key: {keys}")
    return sorted(found, key=lambda c: (c.order, c.key))


def years_before(now: dt.datetime, years: int) -> dt.datetime:
    return now - dt.timedelta(days=365 * years)


def as_rows(items: Iterable[Mapping[str, object]]) -> list[dict[str, object]]:
    return [dict(item) for item in items]
