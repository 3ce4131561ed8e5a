"""The tip-off panels of the admin start page (registered in wagtail_hooks.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.home_panels import RoleHomePanel
from portal.tipoffs import selectors, workflow


def queue_url(queue: str) -> str:
    return f"{reverse('tipoffs_admin:index')}?{urlencode({'queue': queue})}"


class IntakeHomePanel(RoleHomePanel):
    """New reports, deadlines near and past, photos waiting to be approved for publication."""

    name = "tipoffs_intake"
    order = 100
    template_name = "tipoffs/admin/home_panel_intake.html"

    def may_see(self, user) -> bool:
        return workflow.is_intake(user)

    def get_panel_context(self) -> dict:
        counts = selectors.intake_home_counts(user=self.request.user, today=timezone.localdate())
        rows = [
            ("new", _("New (awaiting decision)"), "new"),
            ("due_soon", _("Due within 3 days"), "due_soon"),
            ("overdue", _("Overdue"), "overdue"),
            ("photos", _("Photos awaiting approval"), "photos"),
        ]
        return {
            "rows": [
                {"key": key, "label": label, "count": counts[key], "url": queue_url(queue)}
                for key, label, queue in rows
            ],
            "all_url": queue_url("open"),
        }


class HandlerHomePanel(RoleHomePanel):
    """The open cases of the handler's departments, the nearest deadline first."""

    name = "tipoffs_handler"
    order = 110
    template_name = "tipoffs/admin/home_panel_handler.html"

    def may_see(self, user) -> bool:
        return workflow.is_handler(user) and not workflow.is_intake(user)

    def get_panel_context(self) -> dict:
        today = timezone.localdate()
        data = selectors.handler_home_cases(user=self.request.user, today=today)
        return {
            "counts": data["counts"],
            "cases": data["cases"],
            "today": today,
            "open_url": queue_url("mine"),
            "overdue_url": queue_url("overdue"),
            "due_soon_url": queue_url("due_soon"),
        }
