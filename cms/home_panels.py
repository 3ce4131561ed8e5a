"""The editor's panel of the admin start page (registered in wagtail_hooks.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from cms import selectors
from portal import roles
from portal.home_panels import RoleHomePanel


class EditorHomePanel(RoleHomePanel):
    """Workflow tasks waiting for the editor, their pages in review, pages scheduled to go live."""

    name = "cms_editor"
    order = 140
    template_name = "cms/admin/home_panel_editor.html"

    def may_see(self, user) -> bool:
        return roles.has_role(user, roles.EDITOR) or roles.has_role(user, roles.ADMINISTRATOR)

    def get_panel_context(self) -> dict:
        data = selectors.editor_home(user=self.request.user, now=timezone.now())
        return {
            **data,
            "tasks_url": reverse("wagtailadmin_reports:workflow_tasks"),
            "in_review_url": reverse("wagtailadmin_reports:workflow"),
        }
