"""Who holds the right to see reporters' identities (and original photos), and every change of it.

The right is a Django permission (``tipoffs.view_reporter_identity``; original photos and intake
decisions come with ``tipoffs.intake_tipoff``), held directly by an account or through a group
(the intake officers' group holds both). Whenever it changes hands — a permission added to or
removed from an account, an account joining or leaving a group that holds it, a group gaining or
losing it, such a group deleted — an ``IdentityRightChange`` row records who did it, to whom,
which right, granted or revoked, and when. The receivers listen to Django's ``m2m_changed``, so
the Wagtail user and group screens, the shell and migrations-after-the-fact are all covered.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

from portal import audit
from portal.tipoffs.models import IdentityRightChange
from portal.tipoffs.policies import identity_policy, photo_policy

#: The rights whose every grant and revocation is logged: revealing the reporter, and the
#: original photos (which come with the intake right).
GUARDED_PERMISSIONS = tuple(
    dict.fromkeys(
        (identity_policy.permission_for("reveal"), photo_policy.permission_for("view_original"))
    )
)

User = get_user_model()
Change = IdentityRightChange.Change
Via = IdentityRightChange.Via


def _guarded(permission_ids=None) -> dict[int, str]:
    """{permission pk: "app_label.codename"} of the guarded rights (among ``permission_ids``)."""
    codenames = [perm.split(".", 1)[1] for perm in GUARDED_PERMISSIONS]
    qs = Permission.objects.filter(content_type__app_label="tipoffs", codename__in=codenames)
    if permission_ids is not None:
        qs = qs.filter(pk__in=permission_ids)
    return {pk: f"tipoffs.{codename}" for pk, codename in qs.values_list("pk", "codename")}


def _group_rights(group_ids) -> dict[int, tuple[str, list[str]]]:
    """{group pk: (name, guarded rights it holds)} for the groups that hold any."""
    guarded = _guarded()
    out: dict[int, tuple[str, list[str]]] = {}
    rows = Group.permissions.through.objects.filter(
        group_id__in=group_ids, permission_id__in=guarded
    ).values_list("group_id", "group__name", "permission_id")
    for group_id, name, permission_id in rows:
        out.setdefault(group_id, (name, []))[1].append(guarded[permission_id])
    return out


def _log(*, change: str, via: str, permission: str, user=None, user_id=None, group_name=""):
    actor = audit.current_actor()
    IdentityRightChange.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        user_id=user.pk if user is not None else user_id,
        group_name=group_name,
        permission=permission,
        change=change,
        via=via,
    )


def _forget_cached_perms(user) -> None:
    for attr in ("_explicit_perm_cache", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


def _change_for(action: str) -> str:
    return Change.GRANTED if action == "post_add" else Change.REVOKED


def _existing(through, filters: dict, column: str, pk_set) -> set[int]:
    return set(
        through.objects.filter(**filters, **{f"{column}__in": pk_set}).values_list(
            column, flat=True
        )
    )


# --- a permission directly on an account -------------------------------------------------------


@receiver(m2m_changed, sender=User.user_permissions.through)
def user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:  # permission.user_set.add(...): instance is a Permission, pk_set users
        if not _guarded([instance.pk]):
            return
        perm = _guarded([instance.pk])[instance.pk]
        user_ids = _affected(
            sender, action, {"permission_id": instance.pk}, "user_id", pk_set, instance
        )
        for user_id in user_ids or ():
            _log(
                change=_change_for(action),
                via=Via.USER_PERMISSION,
                permission=perm,
                user_id=user_id,
            )
        return
    _forget_cached_perms(instance)
    perm_ids = _affected(
        sender, action, {"user_id": instance.pk}, "permission_id", pk_set, instance
    )
    for perm in _guarded(perm_ids).values() if perm_ids else ():
        _log(change=_change_for(action), via=Via.USER_PERMISSION, permission=perm, user=instance)


def _affected(through, action, filters, column, pk_set, instance):
    """The ids really added/removed: stashed before a remove or clear, taken as given on add."""
    stash = "_identity_rights_pending"
    if action in ("pre_remove", "pre_clear"):
        ids = (
            _existing(through, filters, column, pk_set)
            if action == "pre_remove"
            else set(through.objects.filter(**filters).values_list(column, flat=True))
        )
        instance.__dict__.setdefault(stash, {})[(through, action[4:])] = ids
        return None
    if action == "post_add":
        return set(pk_set or ())
    if action in ("post_remove", "post_clear"):
        return instance.__dict__.get(stash, {}).pop((through, action[5:]), set())
    return None


# --- membership of a group that holds the right ---------------------------------------------------


@receiver(m2m_changed, sender=User.groups.through)
def user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:  # group.user_set.add(...): instance is a Group, pk_set users
        user_ids = _affected(sender, action, {"group_id": instance.pk}, "user_id", pk_set, instance)
        if not user_ids:
            return
        rights = _group_rights([instance.pk]).get(instance.pk)
        if not rights:
            return
        name, perms = rights
        for user_id in user_ids:
            for perm in perms:
                _log(
                    change=_change_for(action),
                    via=Via.GROUP_MEMBERSHIP,
                    permission=perm,
                    user_id=user_id,
                    group_name=name,
                )
        return
    _forget_cached_perms(instance)
    group_ids = _affected(sender, action, {"user_id": instance.pk}, "group_id", pk_set, instance)
    if not group_ids:
        return
    for name, perms in _group_rights(group_ids).values():
        for perm in perms:
            _log(
                change=_change_for(action),
                via=Via.GROUP_MEMBERSHIP,
                permission=perm,
                user=instance,
                group_name=name,
            )


# --- the right given to or taken from a group ----------------------------------------------------


@receiver(m2m_changed, sender=Group.permissions.through)
def group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse:  # permission.group_set.add(...): instance is a Permission, pk_set groups
        guarded = _guarded([instance.pk])
        if not guarded:
            return
        group_ids = _affected(
            sender, action, {"permission_id": instance.pk}, "group_id", pk_set, instance
        )
        names = dict(Group.objects.filter(pk__in=group_ids or ()).values_list("pk", "name"))
        for group_id in group_ids or ():
            _log(
                change=_change_for(action),
                via=Via.GROUP_PERMISSION,
                permission=guarded[instance.pk],
                group_name=names.get(group_id, str(group_id)),
            )
        return
    perm_ids = _affected(
        sender, action, {"group_id": instance.pk}, "permission_id", pk_set, instance
    )
    for perm in _guarded(perm_ids).values() if perm_ids else ():
        _log(
            change=_change_for(action),
            via=Via.GROUP_PERMISSION,
            permission=perm,
            group_name=instance.name,
        )


@receiver(pre_delete, sender=Group)
def group_deleted(sender, instance, **kwargs):
    """Deleting a group removes its rights from its members without an m2m signal."""
    rights = _group_rights([instance.pk]).get(instance.pk)
    if not rights:
        return
    name, perms = rights
    for perm in perms:
        _log(change=Change.REVOKED, via=Via.GROUP_DELETED, permission=perm, group_name=name)
        for user_id in instance.user_set.values_list("pk", flat=True):
            _log(
                change=Change.REVOKED,
                via=Via.GROUP_DELETED,
                permission=perm,
                user_id=user_id,
                group_name=name,
            )
