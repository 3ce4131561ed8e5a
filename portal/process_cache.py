"""Small reference tables kept in each process, dropped everywhere when they change.

Some rows are read on every request of a hot path but change a few times a year (the working-day
calendar's overrides, the tip-off categories). Each process keeps its own copy tagged with a
*generation* token stored in the shared cache (Redis or the database cache); a save or delete of
the underlying model sets a new token (``bump``), so every process reloads on its next read.
One shared-cache read replaces the queries and the model instantiation; copies also expire after
``MAX_AGE`` seconds as a safety net for writes that bypass model signals (``QuerySet.update``).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

MAX_AGE = 600.0
_KEY = "process-cache-generation:{}"
_copies: dict[tuple[str, object], tuple[object, float, object]] = {}
UNKNOWN = object()  # "generation not read yet"


def generation(name: str) -> object:
    return cache.get(_KEY.format(name))


def bump(name: str) -> None:
    """Invalidate ``name`` in every process (call from post_save/post_delete receivers).

    Bumped at once and again after the commit: a process that reloads between the write and the
    commit may have read the old rows, and must not keep them under the new generation."""

    def _bump():
        cache.set(_KEY.format(name), uuid.uuid4().hex, None)
        for key in [k for k in _copies if k[0] == name]:
            _copies.pop(key, None)

    _bump()
    transaction.on_commit(_bump)


def get(name: str, key: object, load: Callable[[], T], *, current: object = UNKNOWN) -> T:
    """This process's copy of ``load()`` for (``name``, ``key``), reloaded when the generation
    changed or the copy is older than ``MAX_AGE``. Pass ``current`` (from ``generation(name)``)
    to read the shared cache once for several keys. The value is shared: never mutate it."""
    current = generation(name) if current is UNKNOWN else current
    entry = _copies.get((name, key))
    now = time.monotonic()
    if entry is not None and entry[0] == current and now - entry[1] < MAX_AGE:
        return entry[2]  # type: ignore[return-value]
    value = load()
    _copies[(name, key)] = (current, now, value)
    return value
