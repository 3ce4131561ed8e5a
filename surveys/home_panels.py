"""The analyst's panel of the admin start page (registered in wagtail_hooks.py)."""

from __future__ import annotations

from django.urls import reverse

from portal.home_panels import RoleHomePanel
from surveys import selectors


class AnalystHomePanel(RoleHomePanel):
    """Fieldwork of the open surveys against their quotas, and the latest release."""

    name = "surveys_analyst"
    order = 130
    template_name = "surveys/admin/home_panel_analyst.html"

    def may_see(self, user) -> bool:
        return selectors.can_view_responses(user)

    def get_panel_context(self) -> dict:
        data = selectors.analyst_home(user=self.request.user)
        release = data["latest_release"]
        return {
            "progress": data["progress"],
            "release": release,
            "release_url": (
                reverse("surveys_admin:release", args=[release.survey_id, release.version])
                if release
                else ""
            ),
            "fieldwork_url": reverse("surveys_admin:index"),
        }
