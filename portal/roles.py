"""The roles of the portal, as Django groups, and the table of what each role may do.

Groups are created and granted their permissions by data migrations (portal/migrations/0002 for
the shared models and Wagtail; each later app's migration grants its own models' permissions
through ``grant_permissions``), so a fresh database has the roles before anyone logs in.
Code refers to roles by these constants, never by spelling a group name. What a role may do with
a guarded model is ``ROLE_ACTIONS`` (role → model → actions of that model's permission policy);
code asks the policy (each app's ``policies.py``), never a role or a permission string.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

EDITOR = "编辑"
DISCLOSURE_OFFICER = "信息公开专员"
INTAKE_OFFICER = "举报受理员"
DEPARTMENT_HANDLER = "部门办理员"
ANALYST = "统计分析员"
ADMINISTRATOR = "管理员"

ROLE_LABELS = {
    EDITOR: _("Editor"),
    DISCLOSURE_OFFICER: _("Disclosure officer"),
    INTAKE_OFFICER: _("Tip-off intake officer"),
    DEPARTMENT_HANDLER: _("Department case handler"),
    ANALYST: _("Statistics analyst"),
    ADMINISTRATOR: _("Administrator"),
}
ALL_ROLES = tuple(ROLE_LABELS)

# Accounts outside the administration that still see non-public data and so need the TOTP step
# like staff (portal.mfa): an enterprise's disclosure filers (the enterprises app creates the group
# and scopes each account to its own enterprise). Not a staff role: no admin access.
ENTERPRISE_FILER = "企业环境信息填报员"
EXTERNAL_ROLE_LABELS = {ENTERPRISE_FILER: _("Enterprise discloser")}
MFA_ROLES = (ENTERPRISE_FILER,)


def grant_permissions(apps, role: str, perms: list[str]) -> None:
    """Give ``role`` the permissions named "app_label.codename" (for use inside migrations).

    Creates any missing permission rows first: in a fresh database, post_migrate has not yet run
    when data migrations do.
    """
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        # Historical app configs lack models_module, without which create_permissions skips them.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group, _created = Group.objects.get_or_create(name=role)
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        try:
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
        except Permission.DoesNotExist:
            raise LookupError(f"No permission {perm!r} to grant to {role}") from None
        group.permissions.add(permission)


# --- Roles → policies ------------------------------------------------------------------------
#
# The actions each role holds, per guarded model's policy (keyed by the model's label; the
# policies live in each app's ``policies.py`` and name the permission behind each action). Data
# migrations grant them with ``grant_policy_actions``; tests/portal/test_policies.py checks that
# the migrated groups hold exactly these actions. Actions a policy derives (a handler's
# department scope, "write" = intake or the assigned handler) are not listed here.

ROLE_ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    EDITOR: {
        "learning.Redemption": ("desk", "hand_over", "view_statistics"),
    },
    DISCLOSURE_OFFICER: {
        "disclosure.DisclosureRequest": ("process", "view_identity", "export", "reveal_id_number"),
        "enterprises.Enterprise": ("supervise", "view", "add", "change"),
    },
    INTAKE_OFFICER: {
        "tipoffs.Tipoff": ("view", "view_all", "intake", "export", "view_reward_eligibility"),
        "tipoffs.ReporterIdentity": ("reveal",),
        "tipoffs.TipoffPhoto": ("view_original", "approve"),
    },
    DEPARTMENT_HANDLER: {
        "tipoffs.Tipoff": ("view", "handle"),
    },
    ANALYST: {
        "surveys.Response": ("view_responses", "manage_fieldwork", "analyse"),
        "surveys.SurveyRelease": ("view", "download", "publish"),
        "learning.Redemption": ("view_statistics",),
    },
    ADMINISTRATOR: {
        # Cases without who reported, the original photos or case decisions.
        "tipoffs.Tipoff": ("view", "view_all", "export"),
        "disclosure.DisclosureRequest": ("process", "view_identity", "export"),
        "surveys.Response": ("view_responses", "manage_fieldwork", "analyse"),
        "surveys.SurveyRelease": ("view", "download", "publish"),
        "learning.Redemption": ("desk", "hand_over", "view_statistics"),
        "enterprises.Enterprise": ("supervise", "view", "add", "change", "delete"),
        "privacy.SubjectRequest": ("handle", "view", "add", "change"),
        "privacy.PrivacyNotice": ("edit_notices", "view", "add", "change"),
    },
}


def role_actions(role: str, policy) -> tuple[str, ...]:
    """The actions ``role`` holds on ``policy`` (a ``portal.policies.ExplicitPermissionPolicy``)."""
    return ROLE_ACTIONS.get(role, {}).get(policy.model_label, ())


def grant_policy_actions(apps, policies) -> None:
    """Grant every role the permissions behind its actions on ``policies`` (inside migrations)."""
    for role in ALL_ROLES:
        perms = sorted(
            {
                policy.permission_for(action)
                for policy in policies
                for action in role_actions(role, policy)
            }
        )
        if perms:
            grant_permissions(apps, role, perms)


# --- Superuser is not a role ------------------------------------------------------------------
#
# Django answers ``user.has_perm(...)`` with True for any active superuser. That is right for
# running the site (pages, users, settings) and wrong for the guarded work: seeing who reported,
# downloading original evidence photos (they keep GPS), deciding cases, processing disclosure
# requests, reading raw survey answers. Those are the permission policies' (portal.policies),
# which ask ``user_has_explicit_perm``: it looks only at the user's own and their groups'
# permissions, never at ``is_superuser``.


def has_role(user, role: str) -> bool:
    """Membership of the role's group. Superuser status is not a role."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.groups.filter(name=role).exists()


def explicit_permissions(user) -> frozenset[str]:
    """ "app_label.codename" of the permissions granted to ``user`` or to one of their groups.

    Unlike ``user.get_all_permissions()`` this ignores ``is_superuser``. Cached on the user object
    for the request, as Django caches its own permission lookups.
    """
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    cached = getattr(user, "_explicit_perm_cache", None)
    if cached is None:
        Permission = apps.get_model("auth", "Permission")
        rows = (
            Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename")
            .distinct()
        )
        cached = frozenset(f"{app_label}.{codename}" for app_label, codename in rows)
        user._explicit_perm_cache = cached
    return cached


def user_has_explicit_perm(user, perm: str) -> bool:
    """``perm`` ("app_label.codename") granted to the user or a group of theirs; not implied by
    superuser status."""
    return perm in explicit_permissions(user)


def can_access_admin(user) -> bool:
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")


def requires_second_factor(user) -> bool:
    """Staff (admin access) and the external roles of ``MFA_ROLES`` need the TOTP step."""
    if not (user and user.is_authenticated):
        return False
    return can_access_admin(user) or user.groups.filter(name__in=MFA_ROLES).exists()


# --- Where page editors start ------------------------------------------------------------------
#
# Wagtail opens the page explorer at the closest common ancestor of the pages a user holds page
# permissions on. Page permissions on the tree's root open it at "Root" (with Wagtail's warning
# that pages there belong to no site); on the site's home page, it opens at home.
SITE_PAGE_ROLES = (EDITOR, DISCLOSURE_OFFICER)


def anchor_page_permissions(*, group_page_permission_model, group_model, home_page) -> None:
    """Move the page permissions of the site-editing roles onto ``home_page``.

    Takes the models as arguments so a data migration can pass its historical ones.
    """
    for group in group_model.objects.filter(name__in=SITE_PAGE_ROLES):
        rows = group_page_permission_model.objects.filter(group=group)
        permission_ids = set(rows.values_list("permission_id", flat=True))
        rows.exclude(page_id=home_page.pk).delete()
        for permission_id in permission_ids:
            group_page_permission_model.objects.get_or_create(
                group=group, page_id=home_page.pk, permission_id=permission_id
            )
