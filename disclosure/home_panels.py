"""The disclosure officer's panel of the admin start page (registered in wagtail_hooks.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from disclosure import selectors
from portal.home_panels import RoleHomePanel
from portal.workdays import WorkdayCalendarUnknown


class DisclosureOfficerHomePanel(RoleHomePanel):
    """Requests due and overdue, plan entries due this month, indicators without a reading."""

    name = "disclosure_officer"
    order = 120
    template_name = "disclosure/admin/home_panel_officer.html"

    def may_see(self, user) -> bool:
        return selectors.can_process_requests(user)

    def get_panel_context(self) -> dict:
        today = timezone.localdate()
        try:
            counts = selectors.officer_home_counts(user=self.request.user, today=today)
        except WorkdayCalendarUnknown as error:
            return {"calendar_error": str(error)}
        queue = reverse("disclosure_admin:queue")
        if counts["plan_id"]:
            plan_url = reverse(
                "wagtailsnippets_disclosure_disclosureplan:edit", args=[counts["plan_id"]]
            )
        else:
            plan_url = reverse("wagtailsnippets_disclosure_disclosureplan:list")
        return {
            "counts": counts,
            "today": today,
            "overdue_url": f"{queue}?queue=overdue",
            "due_soon_url": f"{queue}?queue=due_soon",
            "plan_url": plan_url,
            "indicators_url": reverse("wagtailsnippets_disclosure_indicatorreading:list"),
        }
