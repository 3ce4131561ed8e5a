"""Who may do what with an enterprise's disclosures (one policy, ``Enterprise``).

- ``supervise`` (the bureau: disclosure officers, administrators; ``portal.roles.ROLE_ACTIONS``):
  the list, every enterprise's drafts, the queue of due/late/missing reports, imports, reminders.
- ``view``, ``add``, ``change``, ``delete``: the list in the admin (officers: all but delete).
- ``file`` (the enterprise discloser group ``portal.roles.ENTERPRISE_FILER``), scoped: only on an
  enterprise the user has an ``EnterpriseAccount`` for. Another enterprise's rows: refused (403).

Superuser status is not a role (``ExplicitPermissionPolicy``).
"""

from __future__ import annotations

from enterprises.models import Enterprise, EnterpriseAccount
from portal.policies import ExplicitPermissionPolicy


class EnterprisePolicy(ExplicitPermissionPolicy):
    permissions = {
        "supervise": "enterprises.supervise_enterprises",
        "file": "enterprises.file_enterprise_report",
        # The list's snippet screens (Wagtail asks these actions).
        "view": "enterprises.view_enterprise",
        "add": "enterprises.add_enterprise",
        "change": "enterprises.change_enterprise",
        "delete": "enterprises.delete_enterprise",
    }
    #: Actions limited to the user's own enterprises.
    scoped = frozenset({"file"})

    def _own_ids(self, user) -> set[int]:
        if not (user and user.is_authenticated and user.is_active):
            return set()
        return set(
            EnterpriseAccount.objects.filter(user=user).values_list("enterprise_id", flat=True)
        )

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if not self.user_has_permission(user, action):
            return False
        if action in self.scoped:
            return instance.pk in self._own_ids(user)
        return True

    def instances_user_has_permission_for(self, user, action):
        if not self.user_has_permission(user, action):
            return Enterprise.objects.none()
        if action in self.scoped:
            return Enterprise.objects.filter(pk__in=self._own_ids(user))
        return Enterprise.objects.all()

    def instances_user_has_any_permission_for(self, user, actions):
        qs = Enterprise.objects.none()
        for action in actions:
            qs = qs | self.instances_user_has_permission_for(user, action)
        return qs.distinct()


enterprise_policy = EnterprisePolicy(Enterprise)
POLICIES = (enterprise_policy,)
