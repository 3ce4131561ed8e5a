"""The base of every guarded model's permission policy (Wagtail's ``BasePermissionPolicy`` idiom).

Each app keeps one policy per guarded model in its ``policies.py``; selectors, workflow guards,
views, menu items and ViewSets ask that policy, never a permission string. A policy names its
actions and the one explicit permission behind each (``permissions``); actions it derives from
others (a handler's department scope, "intake or the assigned handler") are methods of the policy.

Superuser status is not a role: every answer comes from ``portal.roles.user_has_explicit_perm``
(the user's own and their groups' permissions), never from ``is_superuser``. Which role holds
which action is the table ``portal.roles.ROLE_ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from portal import roles


class ExplicitPermissionPolicy(BasePermissionPolicy):
    """Actions answered by explicit permissions ("app_label.codename"), superuser ignored.

    An action the policy does not know is refused (Wagtail's generic views ask for ``add``,
    ``change``, ``delete`` … on any model: only the actions listed here are ever granted).
    """

    #: action -> "app_label.codename" of the permission that grants it.
    permissions: Mapping[str, str] = {}

    @property
    def model_label(self) -> str:
        """ "app_label.ModelName", the key of this policy in ``portal.roles.ROLE_ACTIONS``."""
        if isinstance(self._model_or_name, str):
            return self._model_or_name
        return self._model_or_name._meta.label

    def permission_for(self, action: str) -> str:
        """The permission behind ``action``; KeyError for an action this policy does not grant."""
        return self.permissions[action]

    # --- model-level -------------------------------------------------------------------------

    def user_has_permission(self, user, action: str) -> bool:
        perm = self.permissions.get(action)
        return perm is not None and roles.user_has_explicit_perm(user, perm)

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]):
        """Active users granted any of ``actions`` by their groups or their account."""
        User = get_user_model()
        q = Q()
        for perm in {self.permissions[a] for a in actions if a in self.permissions}:
            app_label, codename = perm.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
            q |= Q(user_permissions__in=permission) | Q(groups__permissions__in=permission)
        if not q:
            return User.objects.none()
        return User.objects.filter(q, is_active=True).distinct()


def register_policies(policies: Iterable[BasePermissionPolicy]) -> None:
    """Make each policy the one Wagtail uses for its model (views, menus, listing buttons ask
    ``wagtail.permissions.policy_registry``); call from the app's ``AppConfig.ready()``."""
    for policy in policies:
        if policy_registry.get_by_type(policy.model, fallback=False) is not policy:
            register_permission_policy(policy.model, policy, exact_class=True)
