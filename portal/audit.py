"""Audit records are append-only, for everyone, at three levels.

1. The model: ``AppendOnlyModel`` (an abstract base) refuses ``save()`` of an existing row and
   ``delete()``; its manager's QuerySet refuses ``update()`` and ``delete()``.
2. The database: on PostgreSQL a trigger (``append_only_trigger`` in each app's migration)
   refuses ``UPDATE`` and ``DELETE`` on the table, whoever sends them (a raw cursor, psql, a
   cascade from a parent row).
3. The admin: ``portal.audit_admin`` gives every audit ViewSet a read-only permission policy, so
   there is no add, edit, copy or delete view and no bulk delete, not even for a superuser.

The one way round is ``retention_purge(reason=...)``: the documented retention commands run their
deletes and anonymisations inside it. It opens a transaction, tells the trigger (``SET LOCAL
portal.retention_purge = 'on'``, which ends with the transaction) and the models (a context
variable) that a purge is running, and writes a ``portal.RetentionPurgeRun`` row when the body
succeeds, so every purge leaves a trace in an append-only table of its own.

``AuditActorMiddleware`` remembers who is making the current request, for audit rows written by
signal handlers that are not given a user (the identity-right log in ``portal.tipoffs``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, migrations, models, transaction
from django.utils import timezone

PURGE_SETTING = "portal.retention_purge"
TRIGGER_FUNCTION = "portal_refuse_audit_change"

_purge_run: contextvars.ContextVar[PurgeRecorder | None] = contextvars.ContextVar(
    "portal_retention_purge", default=None
)
_actor: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "portal_audit_actor", default=None
)


class AppendOnlyError(ValueError):
    """An attempt to change or delete an audit record outside ``retention_purge``."""


def purge_running() -> bool:
    return _purge_run.get() is not None


def _refuse(model, what: str) -> None:
    if not purge_running():
        raise AppendOnlyError(
            f"{model._meta.label} is append-only: {what} is refused "
            "(only a documented retention purge may remove or anonymise rows)."
        )


class AppendOnlyQuerySet(models.QuerySet):
    """``update()`` and ``delete()`` are refused when they would touch a row.

    A statement that matches nothing changes nothing and is let through: Wagtail's bulk delete,
    once the read-only policy has filtered out every selected row, still calls ``delete()`` on
    the empty selection, and that must not turn into a server error.
    """

    def update(self, **kwargs):
        if not purge_running() and self.exists():
            _refuse(self.model, "update()")
        return super().update(**kwargs)

    def delete(self):
        if not purge_running() and self.exists():
            _refuse(self.model, "delete()")
        return super().delete()

    # bulk_update() is update() in batches; _raw_delete() is what cascades use.
    def bulk_update(self, objs, fields, batch_size=None):
        _refuse(self.model, "bulk_update()")
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def _raw_delete(self, using):
        _refuse(self.model, "delete()")
        return super()._raw_delete(using)


class AppendOnlyModel(models.Model):
    """An audit record: written once, never changed, never deleted (but by a retention purge).

    Foreign keys from an audit row should use ``on_delete=models.PROTECT``: ``SET_NULL`` or
    ``CASCADE`` would change or delete audit rows behind the model's back (and the PostgreSQL
    trigger would refuse it anyway).
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            _refuse(type(self), "changing a saved row")
        elif self._state.adding:
            # A new row is only ever inserted: a primary key set by hand must not overwrite.
            kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse(type(self), "delete()")
        return super().delete(*args, **kwargs)


# --- the escape hatch --------------------------------------------------------------------------


class PurgeRecorder:
    """What a running purge reports about itself; written as one row when the purge commits."""

    def __init__(self, reason: str):
        self.reason = reason
        self.started_at = timezone.now()
        self.counts: dict[str, int] = {}

    def add(self, label: str, count: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + count


@contextmanager
def retention_purge(*, reason: str, using: str = DEFAULT_DB_ALIAS) -> Iterator[PurgeRecorder]:
    """Run a documented retention purge: the only way to change or delete audit rows.

    Everything inside runs in one transaction. On success a ``RetentionPurgeRun`` row records the
    reason, the start and end time and the counts the body reported with ``recorder.add()``.
    """
    if not reason.strip():
        raise ValueError("A retention purge needs a reason.")
    recorder = PurgeRecorder(reason)
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        token = _purge_run.set(recorder)
        try:
            yield recorder
        finally:
            _purge_run.reset(token)
        # Only reached on success (on failure the rollback also undoes the setting). Back off for
        # the rest of an enclosing transaction, if there is one.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
        apps.get_model("portal", "RetentionPurgeRun").objects.using(using).create(
            reason=recorder.reason[:200],
            started_at=recorder.started_at,
            finished_at=timezone.now(),
            counts=recorder.counts,
        )


# --- the PostgreSQL trigger ----------------------------------------------------------------------

_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('{PURGE_SETTING}', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: audit records are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Only a documented retention purge may change or delete audit rows.';
END;
$$ LANGUAGE plpgsql;
"""


def _trigger_name(table: str) -> str:
    return f"{table}_append_only"[:63]


def _install(table: str):
    def forwards(apps_, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        name = schema_editor.quote_name(_trigger_name(table))
        quoted = schema_editor.quote_name(table)
        schema_editor.execute(_FUNCTION_SQL, params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quoted}")
        schema_editor.execute(
            f"CREATE TRIGGER {name} BEFORE UPDATE OR DELETE ON {quoted} "
            f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_FUNCTION}()"
        )

    return forwards


def _remove(table: str):
    def backwards(apps_, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        name = schema_editor.quote_name(_trigger_name(table))
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {schema_editor.quote_name(table)}")

    return backwards


def append_only_trigger(table: str) -> migrations.RunPython:
    """A migration operation: the append-only trigger on ``table`` (PostgreSQL; no-op elsewhere).

    The function is created (or replaced) by every call, so each app's migration stands alone.
    """
    return migrations.RunPython(_install(table), _remove(table), elidable=False)


def has_append_only_trigger(table: str, using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
            [_trigger_name(table), connection.ops.quote_name(table)],
        )
        return cursor.fetchone() is not None


# --- who is acting ------------------------------------------------------------------------------


def current_actor():
    """The signed-in user making the current request, or None (a command, a task, a shell)."""
    return _actor.get()


class AuditActorMiddleware:
    """Remember ``request.user`` for the length of the request (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = _actor.set(user if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)
