"""Notices of the cms app: a visitor's error report (纠错) goes to the site administrators.

The outbox is the shell's (``portal.notifications``); this module says who is told what. The
administrators are the active members of the 管理员 role group, each as a ``user`` recipient.
"""

from __future__ import annotations

from cms.models import PageErrorReport
from portal import roles
from portal.models import User
from portal.notifications import outbox
from portal.notifications.render import admin_link, register_context
from portal.notifications.rules import Recipient, register_rules

EVENT_ERROR_REPORTED = "cms.error_reported"

RULES = {EVENT_ERROR_REPORTED: [("administrator", "email", "page_error_reported")]}
register_rules(RULES)


def administrators() -> list[Recipient]:
    ids = (
        User.objects.filter(groups__name=roles.ADMINISTRATOR, is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    return [Recipient("user", pk) for pk in ids]


def notify_error_reported(report: PageErrorReport) -> list[int]:
    return outbox.notify(
        EVENT_ERROR_REPORTED,
        report,
        role="administrator",
        recipients=administrators(),
        context={"report": report.pk},
    )


def _report_context(report: PageErrorReport, notification) -> dict:
    context = {
        "page_url": report.page_url,
        "description": report.description,
        "reported_at": report.created_at.strftime("%Y-%m-%d %H:%M"),
        "has_contact": bool(report.contact),
    }
    if url := admin_link("wagtailsnippets_cms_pageerrorreport:edit", report.pk):
        context["admin_url"] = url
    return context


register_context("cms.pageerrorreport", _report_context)
