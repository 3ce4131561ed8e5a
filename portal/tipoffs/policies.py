"""Who may do what with pollution reports: one permission policy per guarded model.

- ``tipoff_policy`` (``Tipoff``): open the case screens, see every report or only the
  departments' reports, intake decisions, handling (scoped to the handler's departments),
  writing on a case, exporting, the reward list;
- ``identity_policy`` (``ReporterIdentity``): reveal who reported (环保法 Art. 57: confidential);
- ``photo_policy`` (``TipoffPhoto``): download the original evidence (it keeps GPS), approve a
  cleaned copy for the public case list.

Selectors, ``workflow``'s guards, the admin views, the menu items and the ViewSets ask these;
nothing else spells a ``tipoffs.*`` permission. Superuser status is not a role (portal.policies).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from portal.policies import ExplicitPermissionPolicy
from portal.tipoffs.models import ReporterIdentity, Tipoff, TipoffAssignment, TipoffPhoto


def department_ids_of(user) -> set[int]:
    """The departments ``user`` belongs to (a handler's scope)."""
    if not (user and user.is_authenticated):
        return set()
    return set(user.department_memberships.values_list("department_id", flat=True))


class TipoffPolicy(ExplicitPermissionPolicy):
    """Reports. ``view`` and ``handle`` are scoped per report: a handler reaches only the
    reports assigned to one of their departments; ``view_all`` lifts the scope for ``view``.
    ``write`` (notes, replies, the one extension) is derived: intake, or the assigned handler."""

    permissions = {
        "view": "tipoffs.view_tipoff",
        "view_all": "tipoffs.view_all_tipoffs",
        "intake": "tipoffs.intake_tipoff",
        "handle": "tipoffs.handle_tipoff",
        "export": "tipoffs.export_tipoffs",
        "view_reward_eligibility": "tipoffs.view_reward_eligibility",
    }
    DERIVED = ("write",)

    def user_has_permission(self, user, action: str) -> bool:
        if action == "write":
            return super().user_has_any_permission(user, ("intake", "handle"))
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action: str, instance: Tipoff) -> bool:
        if action == "handle":
            if not self.user_has_permission(user, "handle"):
                return False
            assigned = set(instance.assignments.values_list("department_id", flat=True))
            return bool(assigned & department_ids_of(user))
        if action == "view":
            return self.user_has_permission(user, "view") and (
                self.user_has_permission(user, "view_all")
                or self.user_has_permission_for_instance(user, "handle", instance)
            )
        if action == "write":
            return self.user_has_permission(
                user, "intake"
            ) or self.user_has_permission_for_instance(user, "handle", instance)
        return self.user_has_permission(user, action)

    def _instances(self, user, action: str) -> QuerySet[Tipoff]:
        everything = self.model._default_manager.all()
        if action == "handle":
            if not self.user_has_permission(user, "handle"):
                return everything.none()
            mine = TipoffAssignment.objects.filter(
                tipoff=OuterRef("pk"), department_id__in=list(department_ids_of(user))
            )
            return everything.filter(Exists(mine))
        if action == "view":
            if not self.user_has_permission(user, "view"):
                return everything.none()
            if self.user_has_permission(user, "view_all"):
                return everything
            return self._instances(user, "handle")
        if action == "write":
            if self.user_has_permission(user, "intake"):
                return everything
            return self._instances(user, "handle")
        return everything if self.user_has_permission(user, action) else everything.none()

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet[Tipoff]:
        result = None
        for action in actions:
            part = self._instances(user, action)
            result = part if result is None else result | part
        return result if result is not None else self.model._default_manager.none()


class _ReportPartPolicy(ExplicitPermissionPolicy):
    """A row that belongs to one report: an action on it also needs the report in the user's
    ``view`` scope (``user_has_permission_for_tipoff``)."""

    def user_has_permission_for_tipoff(self, user, action: str, tipoff: Tipoff) -> bool:
        return self.user_has_permission(
            user, action
        ) and tipoff_policy.user_has_permission_for_instance(user, "view", tipoff)

    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        return self.user_has_permission_for_tipoff(user, action, instance.tipoff)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        visible = tipoff_policy.instances_user_has_permission_for(user, "view")
        return self.model._default_manager.filter(tipoff__in=visible.values("pk"))


class ReporterIdentityPolicy(_ReportPartPolicy):
    """Who reported. Intake officers (or an explicit grant); every look is logged by the selector."""

    permissions = {"reveal": "tipoffs.view_reporter_identity"}


class TipoffPhotoPolicy(_ReportPartPolicy):
    """Evidence photos. The cleaned copy goes with the report (``tipoffs:photo``); the original
    (with its EXIF/GPS) and the public approval are the intake office's."""

    permissions = {
        "view_original": "tipoffs.intake_tipoff",
        "approve": "tipoffs.intake_tipoff",
    }


tipoff_policy = TipoffPolicy(Tipoff)
identity_policy = ReporterIdentityPolicy(ReporterIdentity)
photo_policy = TipoffPhotoPolicy(TipoffPhoto)

POLICIES = (tipoff_policy, identity_policy, photo_policy)
