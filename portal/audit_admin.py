"""The admin half of ``portal.audit``: audit records are listed and inspected, never written.

Every ViewSet of an audit model mixes in ``AuditViewSetMixin``. It registers a
``ReadOnlyPermissionPolicy`` for the model (Wagtail asks the policy registry for every view, menu
item, listing button and bulk action), so add, edit, copy and delete are refused for everyone,
superusers included; and it leaves those routes out of the URLconf altogether, so there is no
form to reach. Only the "view" permission is offered on the group screen.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from wagtail.permission_policies.base import ModelPermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

#: Actions that would write: refused whoever asks.
WRITE_ACTIONS = frozenset({"add", "change", "delete", "copy", "publish", "unpublish", "lock"})
#: URL names (ModelViewSet and SnippetViewSet spellings) left out of an audit ViewSet.
WRITE_URL_NAMES = frozenset({"add", "edit", "delete", "copy", "reorder"})


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions for reading (view); nobody may add, change or delete."""

    def user_has_permission(self, user, action):
        if action in WRITE_ACTIONS:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        readable = [action for action in actions if action not in WRITE_ACTIONS]
        if not readable:
            return get_user_model().objects.none()
        return super().users_with_any_permission(readable)


class AuditViewSetMixin:
    """Mix into a ``SnippetViewSet`` / ``ModelViewSet`` of an ``AppendOnlyModel``."""

    inspect_view_enabled = True
    copy_view_enabled = False

    def on_register(self):
        if policy_registry.get_by_type(self.model, fallback=False) is None:
            register_permission_policy(
                self.model, ReadOnlyPermissionPolicy(self.model), exact_class=True
            )
        super().on_register()

    def get_urlpatterns(self):
        return [
            pattern
            for pattern in super().get_urlpatterns()
            if getattr(pattern, "name", None) not in WRITE_URL_NAMES
        ]

    def get_permissions_to_register(self):
        return super().get_permissions_to_register().filter(codename__startswith="view_")
