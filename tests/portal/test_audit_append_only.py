"""Audit records are append-only for everyone (issue 12, part 2).

The model refuses, the admin offers no way, PostgreSQL's trigger refuses a raw statement, and the
one way round — a documented retention purge — leaves its own row behind. Changes of the right
to see reporters' identities are themselves logged.
"""

# The tip-off fixtures are imported from tests/tipoffs/conftest.py and requested by name.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from wagtail.permissions import policy_registry

from portal import audit, roles
from portal.audit_admin import ReadOnlyPermissionPolicy
from portal.models import RetentionPurgeRun
from portal.tipoffs.models import (
    IdentityAccessLog,
    IdentityRightChange,
    PurgeLog,
    State,
    TipoffEvent,
)
from tests.factories import UserFactory
from tests.tipoffs.conftest import (  # noqa: F401 - pytest fixtures used by name below
    TZ,
    _calendar_2027,
    _private_storage_in_memory,
    case_in,
    category,
    dept_a,
    handler_a,
    intake,
    subdistrict,
    submit,
)

pytestmark = pytest.mark.django_db

AUDIT_MODELS = {
    "portal.RetentionPurgeRun",
    "tipoffs.IdentityAccessLog",
    "tipoffs.TipoffEvent",
    "tipoffs.PurgeLog",
    "tipoffs.IdentityRightChange",
    "surveys.SurveyEvent",
    "disclosure.DisclosureRequestEvent",
    "learning.LedgerEntry",
}
#: Audit models with an admin listing: (snippet URL namespace, model label).
AUDIT_LISTINGS = [
    ("wagtailsnippets_tipoffs_identityaccesslog", "tipoffs.IdentityAccessLog"),
    ("wagtailsnippets_tipoffs_purgelog", "tipoffs.PurgeLog"),
    ("wagtailsnippets_tipoffs_identityrightchange", "tipoffs.IdentityRightChange"),
    ("wagtailsnippets_surveys_surveyevent", "surveys.SurveyEvent"),
    ("wagtailsnippets_portal_retentionpurgerun", "portal.RetentionPurgeRun"),
]
PROJECT_APPS = ("portal", "tipoffs", "surveys", "disclosure", "learning", "cms")


@pytest.fixture
def root():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def purge_log(reference="JB2020-000001"):
    return PurgeLog.objects.create(tipoff_id_value=1, reference=reference, fields="name")


# --- the models ----------------------------------------------------------------------------------


def test_every_event_log_and_ledger_model_is_append_only():
    found = {
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and (
            re.search(r"(Event|Log|LedgerEntry|Run|RightChange)$", model.__name__)
            or issubclass(model, audit.AppendOnlyModel)
        )
    }
    assert found == AUDIT_MODELS
    for label in AUDIT_MODELS:
        assert issubclass(apps.get_model(label), audit.AppendOnlyModel), label


def test_a_saved_audit_row_can_be_neither_changed_nor_deleted():
    row = purge_log()
    row.fields = "name,phone"
    with pytest.raises(audit.AppendOnlyError):
        row.save()
    with pytest.raises(audit.AppendOnlyError):
        row.delete()
    with pytest.raises(audit.AppendOnlyError):
        PurgeLog.objects.filter(pk=row.pk).update(fields="")
    with pytest.raises(audit.AppendOnlyError):
        PurgeLog.objects.all().delete()
    with pytest.raises(audit.AppendOnlyError):
        PurgeLog.objects.bulk_update([row], ["fields"])
    # A new object carrying an existing primary key is an insert, never an overwrite.
    with pytest.raises(IntegrityError), transaction.atomic():
        PurgeLog(pk=row.pk, tipoff_id_value=2, reference="x", fields="").save()
    assert PurgeLog.objects.get(pk=row.pk).fields == "name"


def test_case_history_refuses_rewriting_through_the_related_manager(case_in):
    tipoff = case_in(State.ASSIGNED)
    with pytest.raises(audit.AppendOnlyError):
        tipoff.events.update(note="rewritten")
    with pytest.raises(audit.AppendOnlyError):
        tipoff.events.all().delete()
    event = tipoff.events.first()
    event.note = "rewritten"
    with pytest.raises(audit.AppendOnlyError):
        event.save()
    assert not TipoffEvent.objects.filter(note="rewritten").exists()


def test_the_points_ledger_keeps_its_rows(case_in):
    from portal.learning.models import LedgerEntry

    user = UserFactory(username="learner")
    entry = LedgerEntry.objects.create(user=user, amount=2, reason="quiz", key="k1")
    with pytest.raises(audit.AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=200)
    with pytest.raises(audit.AppendOnlyError):
        entry.delete()


def test_reports_and_accounts_named_in_audit_rows_cannot_be_deleted(case_in, intake):
    tipoff = case_in(State.ASSIGNED)
    with pytest.raises(ProtectedError), transaction.atomic():
        tipoff.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        intake.delete()  # acted on the case: the history keeps who it was
    assert TipoffEvent.objects.filter(actor=intake).exists()


# --- the escape hatch ----------------------------------------------------------------------------


def test_a_retention_purge_may_delete_and_records_its_run():
    keep, drop = purge_log("JB2020-000001"), purge_log("JB2020-000002")
    with audit.retention_purge(reason="test purge") as run:
        deleted, _detail = PurgeLog.objects.filter(pk=drop.pk).delete()
        run.add("tipoffs.purgelog", deleted)
    assert list(PurgeLog.objects.values_list("pk", flat=True)) == [keep.pk]
    recorded = RetentionPurgeRun.objects.get()
    assert recorded.reason == "test purge" and recorded.counts == {"tipoffs.purgelog": 1}
    assert recorded.started_at <= recorded.finished_at
    # The hatch is closed again afterwards, and the run's own row is append-only.
    with pytest.raises(audit.AppendOnlyError):
        keep.delete()
    with pytest.raises(audit.AppendOnlyError):
        recorded.delete()


def test_a_failed_purge_changes_nothing_and_records_nothing():
    row = purge_log()
    with pytest.raises(RuntimeError), audit.retention_purge(reason="fails"):
        PurgeLog.objects.filter(pk=row.pk).delete()
        raise RuntimeError("boom")
    assert PurgeLog.objects.filter(pk=row.pk).exists()
    assert not RetentionPurgeRun.objects.exists()


def test_a_purge_needs_a_reason():
    with pytest.raises(ValueError), audit.retention_purge(reason=" "):
        pass


def test_the_identity_purge_runs_through_the_hatch(case_in, settings):
    settings.TIPOFFS_IDENTITY_RETENTION_YEARS = 3
    case_in(State.CLOSED, now=dt.datetime(2022, 3, 1, 10, tzinfo=TZ))
    from portal.tipoffs.retention import purge_reporter_identities

    assert purge_reporter_identities(now=dt.datetime(2026, 9, 1, 10, tzinfo=TZ)) == 1
    run = RetentionPurgeRun.objects.get()
    assert run.reason == "tipoffs_purge_identities"
    assert run.counts == {"tipoffs.reporteridentity": 1}
    assert PurgeLog.objects.count() == 1


def test_the_survey_purge_runs_through_the_hatch():
    from surveys.services import signals_purge

    assert signals_purge(days=30) == {"signals": 0, "drafts": 0}
    assert RetentionPurgeRun.objects.get().reason == "survey_purge"


# --- the admin -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("namespace", "label"), AUDIT_LISTINGS)
def test_no_add_edit_copy_or_delete_view_exists_for_an_audit_model(namespace, label):
    for name in ("add", "edit", "delete", "copy"):
        args = [] if name == "add" else [1]
        with pytest.raises(NoReverseMatch):
            reverse(f"{namespace}:{name}", args=args)
    reverse(f"{namespace}:list")
    reverse(f"{namespace}:inspect", args=[1])
    policy = policy_registry.get_by_type(apps.get_model(label))
    assert isinstance(policy, ReadOnlyPermissionPolicy)


@pytest.mark.parametrize(("namespace", "label"), AUDIT_LISTINGS)
def test_even_a_superuser_may_only_list_and_inspect(client, root, namespace, label):
    model = apps.get_model(label)
    policy = policy_registry.get_by_type(model)
    for action in ("add", "change", "delete"):
        assert not policy.user_has_permission(root, action)
    assert policy.user_has_permission(root, "view")
    assert not policy.users_with_any_permission(["delete"]).exists()
    client.force_login(root)
    assert client.get(reverse(f"{namespace}:list")).status_code == 200


def test_the_identity_access_log_is_read_only_in_the_admin(client, root, case_in):
    tipoff = case_in(State.ASSIGNED)
    row = IdentityAccessLog.objects.create(tipoff=tipoff, user=root, purpose="case page")
    client.force_login(root)
    base = "/admin/snippets/tipoffs/identityaccesslog"
    listing = client.get(f"{base}/").content.decode()
    assert f"{base}/edit/{row.pk}/" not in listing and f"{base}/delete/{row.pk}/" not in listing
    assert client.get(f"{base}/inspect/{row.pk}/").status_code == 200
    for path in (f"{base}/add/", f"{base}/edit/{row.pk}/", f"{base}/delete/{row.pk}/"):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"purpose": "tampered"}).status_code == 404, path
    # Nor through the bulk delete action.
    bulk = reverse("wagtail_bulk_action", args=["tipoffs", "identityaccesslog", "delete"])
    client.post(f"{bulk}?id={row.pk}", {})
    assert IdentityAccessLog.objects.get(pk=row.pk).purpose == "case page"


def test_the_group_screen_offers_only_the_view_permission_for_audit_models():
    from wagtail import hooks

    offered = set()
    for fn in hooks.get_hooks("register_permissions"):
        offered.update(fn().values_list("content_type__app_label", "codename"))
    for label in AUDIT_MODELS:
        model = apps.get_model(label)
        app_label, name = model._meta.app_label, model._meta.model_name
        for action in ("add", "change", "delete"):
            assert (app_label, f"{action}_{name}") not in offered, (label, action)


# --- the identity right ------------------------------------------------------------------------


def changes():
    return list(
        IdentityRightChange.objects.order_by("pk").values_list(
            "change", "permission", "user__username", "group_name", "via"
        )
    )


def test_joining_and_leaving_the_intake_group_is_logged():
    user = UserFactory(username="newbie")
    group = Group.objects.get(name=roles.INTAKE_OFFICER)
    user.groups.add(group)
    user.groups.remove(group)
    rows = changes()
    granted = {r for r in rows if r[0] == "granted"}
    revoked = {r for r in rows if r[0] == "revoked"}
    via, name = IdentityRightChange.Via.GROUP_MEMBERSHIP, roles.INTAKE_OFFICER
    assert granted == {
        ("granted", "tipoffs.view_reporter_identity", "newbie", name, via),
        ("granted", "tipoffs.intake_tipoff", "newbie", name, via),
    }
    assert {r[1] for r in revoked} == {"tipoffs.view_reporter_identity", "tipoffs.intake_tipoff"}
    # Leaving a group one is not in, or joining a group without the right, logs nothing.
    user.groups.remove(group)
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    assert len(changes()) == 4


def test_adding_a_member_from_the_groups_side_is_logged():
    user = UserFactory(username="viaset")
    Group.objects.get(name=roles.INTAKE_OFFICER).user_set.add(user)
    assert {r[2] for r in changes()} == {"viaset"}


def test_the_permission_on_an_account_is_logged_and_clearing_it_too():
    user = UserFactory(username="direct")
    perm = Permission.objects.get(codename="view_reporter_identity")
    user.user_permissions.add(perm, Permission.objects.get(codename="view_tipoff"))
    user.user_permissions.clear()
    assert changes() == [
        ("granted", "tipoffs.view_reporter_identity", "direct", "", "user_permission"),
        ("revoked", "tipoffs.view_reporter_identity", "direct", "", "user_permission"),
    ]


def test_a_group_gaining_or_losing_the_right_is_logged():
    group = Group.objects.create(name="临时组")
    perm = Permission.objects.get(codename="view_reporter_identity")
    group.permissions.add(perm)
    group.permissions.remove(perm)
    perm.group_set.add(group)
    group.delete()
    rows = changes()
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("granted", "临时组", "group_permission"),
        ("revoked", "临时组", "group_permission"),
        ("granted", "临时组", "group_permission"),
        ("revoked", "临时组", "group_deleted"),
    ]


def test_the_log_names_who_made_the_change():
    admin = UserFactory(username="boss", roles=[roles.ADMINISTRATOR])
    user = UserFactory(username="promoted")
    request = RequestFactory().get("/admin/users/")
    request.user = admin

    def grant(_request):
        user.groups.add(Group.objects.get(name=roles.INTAKE_OFFICER))
        return None

    audit.AuditActorMiddleware(grant)(request)
    assert set(IdentityRightChange.objects.values_list("actor__username", flat=True)) == {"boss"}
    assert audit.current_actor() is None  # not left behind for the next request


def test_administrators_see_the_log_and_handlers_do_not(client, handler_a):
    UserFactory(username="promoted", roles=[roles.INTAKE_OFFICER])
    url = reverse("wagtailsnippets_tipoffs_identityrightchange:list")
    client.force_login(UserFactory(username="admin1", roles=[roles.ADMINISTRATOR]))
    page = client.get(url)
    assert page.status_code == 200 and "promoted" in page.content.decode()
    client.force_login(handler_a)
    assert client.get(url).status_code in (302, 403)


# --- PostgreSQL: the trigger ---------------------------------------------------------------------

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (run with DATABASE_URL=postgres://…)",
)


@on_postgres
def test_every_audit_table_has_the_trigger():
    for label in AUDIT_MODELS:
        table = apps.get_model(label)._meta.db_table
        assert audit.has_append_only_trigger(table), table


@on_postgres
def test_a_raw_update_or_delete_is_refused_by_the_database(case_in):
    tipoff = case_in(State.ASSIGNED)
    purge_log()
    table = TipoffEvent._meta.db_table  # table names from the models, not from input
    for sql in (
        f"UPDATE {table} SET note = 'rewritten'",  # noqa: S608
        f"DELETE FROM {table}",  # noqa: S608
        f"DELETE FROM {PurgeLog._meta.db_table}",  # noqa: S608
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert TipoffEvent.objects.filter(tipoff=tipoff).count() > 0
    assert not TipoffEvent.objects.filter(note="rewritten").exists()
    assert PurgeLog.objects.count() == 1


@on_postgres
def test_the_retention_purge_passes_the_trigger_and_closes_it_again():
    row, other = purge_log("JB2020-000001"), purge_log("JB2020-000002")
    delete = f"DELETE FROM {PurgeLog._meta.db_table} WHERE id = %s"  # noqa: S608
    with audit.retention_purge(reason="raw purge") as run, connection.cursor() as cursor:
        cursor.execute(delete, [row.pk])
        run.add("tipoffs.purgelog", cursor.rowcount)
    assert not PurgeLog.objects.filter(pk=row.pk).exists()
    assert RetentionPurgeRun.objects.get().counts == {"tipoffs.purgelog": 1}
    # Same outer transaction, after the purge: refused again.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, [other.pk])
    assert PurgeLog.objects.filter(pk=other.pk).exists()


@on_postgres
def test_a_failed_purge_rolls_back_and_leaves_the_trigger_closed():
    row = purge_log()
    delete = f"DELETE FROM {PurgeLog._meta.db_table} WHERE id = %s"  # noqa: S608
    with pytest.raises(RuntimeError), audit.retention_purge(reason="fails") as _run:
        with connection.cursor() as cursor:
            cursor.execute(delete, [row.pk])
        raise RuntimeError("boom")
    assert PurgeLog.objects.filter(pk=row.pk).exists()
    assert not RetentionPurgeRun.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(delete, [row.pk])
