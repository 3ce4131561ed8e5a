"""The roles of the portal, as Django groups, and the one policy that answers "may this user...".

Groups are created and granted their permissions by data migrations (portal/migrations/0002 for
the shared models and Wagtail; each later app's migration grants its own models' permissions
through ``grant_permissions``), so a fresh database has the roles before anyone logs in.
Code refers to roles by these constants, never by spelling a group name.
"""

from __future__ import annotations

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


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def can_access_admin(user) -> bool:
    return user.is_authenticated and user.has_perm("wagtailadmin.access_admin")
