"""Writes of the cms app: a visitor's error report (纠错)."""

from __future__ import annotations

from django.db import transaction

from cms import notifications
from cms.models import PageErrorReport


@transaction.atomic
def error_report_submit(*, page_url: str, description: str, contact: str = "") -> PageErrorReport:
    """Store the report and queue an e-mail to every site administrator (the outbox)."""
    report = PageErrorReport.objects.create(
        page_url=page_url, description=description, contact=contact
    )
    notifications.notify_error_reported(report)
    return report
