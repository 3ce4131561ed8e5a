"""The admin start page per role: each app's panels, collected through the ``portal_home_panels`` hook.

An app registers a panel factory in its ``wagtail_hooks.py``::

    @hooks.register("portal_home_panels")
    def intake_panel(request):
        return IntakePanel(request)

A factory takes the request and returns a ``RoleHomePanel`` (or None). The shell's
``construct_homepage_panels`` hook (portal/wagtail_hooks.py) calls every factory and keeps only
the panels whose ``may_see(user)`` answers yes; each panel answers with the role checks its own app
already has, so the start page asks the same questions as the screens the counts link to.
Counts come from plain selector functions in each app, so they are tested (and query-counted)
without rendering anything.
"""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component

HOOK_NAME = "portal_home_panels"

# Wagtail's own dashboard panels are about pages; they stay for users who may edit pages.
PAGE_PANEL_NAMES = frozenset(
    {
        "workflow_objects_to_moderate",
        "user_objects_in_workflow_moderation",
        "recent_edits",
        "locked_pages",
    }
)


class RoleHomePanel(Component):
    """A panel of a role's start page: a heading, counts linking to filtered lists.

    Subclasses set ``name``, ``order`` and ``template_name`` and implement ``may_see`` (asking
    their app's existing role checks) and ``get_panel_context`` (asking their app's selectors).
    Orders below Wagtail's own panels (210-300) put the role's work first.
    """

    name = ""
    order = 100

    def __init__(self, request):
        self.request = request

    def may_see(self, user) -> bool:
        raise NotImplementedError

    def get_panel_context(self) -> dict:
        return {}

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        context["request"] = self.request
        context.update(self.get_panel_context())
        return context


def role_panels(request) -> list[RoleHomePanel]:
    """The registered panels this user may see, in order."""
    panels = []
    for factory in hooks.get_hooks(HOOK_NAME):
        panel = factory(request)
        if panel is not None and panel.may_see(request.user):
            panels.append(panel)
    return sorted(panels, key=lambda panel: panel.order)


def construct_panels(request, panels: list) -> None:
    """Add the role panels; drop Wagtail's page panels for users who cannot edit pages."""
    from wagtail.admin.auth import user_has_any_page_permission

    if not user_has_any_page_permission(request.user):
        panels[:] = [
            panel for panel in panels if getattr(panel, "name", "") not in PAGE_PANEL_NAMES
        ]
    panels.extend(role_panels(request))
