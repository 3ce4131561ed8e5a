"""Readiness checks behind /readyz: may this process take traffic now?

``/healthz`` only says the process is alive and its database answers (liveness). ``/readyz`` also
checks what a request may need: the cache, the default file storage, that no migration is waiting
(the code is newer than the schema), and that a task worker is draining the queue. Each check
returns a short status word; nothing personal (no addresses, names or task arguments) is reported.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

logger = logging.getLogger(__name__)

OK = "ok"
#: Status words of a passing check ("immediate": tasks run in the request, no queue to watch).
PASSING = {OK, "immediate", "not checked"}
STORAGE_PROBE = "health/readyz-probe"


class NotReady(Exception):
    """A check found a problem; the message is the status word reported."""


def check_database() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_cache() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=30)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise NotReady("unavailable")
    return OK


def check_storage() -> str:
    """A read-only round trip: the storage answers for a path (the answer does not matter)."""
    default_storage.exists(STORAGE_PROBE)
    return OK


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations in the code that the database has not applied, as ``app.name``."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> str:
    if pending_migrations():
        raise NotReady("pending")
    return OK


def oldest_queued_task_age(*, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long the oldest task that a worker could run has been waiting (None: none waits)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    # A task without run_after waits since it was enqueued; a scheduled one since it fell due.
    unscheduled = (
        ready.filter(run_after=get_date_max()).order_by("enqueued_at").values("enqueued_at")[:1]
    )
    scheduled = (
        ready.exclude(run_after=get_date_max()).order_by("run_after").values("run_after")[:1]
    )
    since = [row["enqueued_at"] for row in unscheduled] + [row["run_after"] for row in scheduled]
    return now - min(since) if since else None


def check_tasks() -> str:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, ImmediateBackend):
        return "immediate"
    if not isinstance(backend, DatabaseBackend):
        return "not checked"
    age = oldest_queued_task_age()
    if age is not None and age.total_seconds() > settings.PORTAL_READY_MAX_QUEUE_AGE:
        raise NotReady("stale")  # tasks wait longer than allowed: no worker is running
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "migrations": check_migrations,
    "tasks": check_tasks,
}


def readiness() -> dict[str, str]:
    """The status word of each check. A check that raises is reported, never propagated."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except NotReady as problem:
            results[name] = str(problem)
        except Exception:
            logger.exception("Readiness check %s failed", name)
            results[name] = "error"
    return results


def failing(results: dict[str, str]) -> list[str]:
    return [name for name, result in results.items() if result not in PASSING]
