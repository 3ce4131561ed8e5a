"""Run from cron (e.g. every hour): reminders (催办), escalations (督办), auto-close, retries."""

from django.core.management.base import BaseCommand

from portal.tipoffs.notifications import retry_failed_notifications
from portal.tipoffs.workflow import tipoffs_sweep_deadlines


class Command(BaseCommand):
    help = (
        "Send reminders when two thirds of a report's time is gone, escalate overdue reports, "
        "close resolved reports after the rating window and retry failed notifications. "
        "Idempotent; run it hourly from cron or a systemd timer."
    )

    def handle(self, *args, **options):
        result = tipoffs_sweep_deadlines()
        retried = retry_failed_notifications()
        self.stdout.write(
            f"reminded={result.reminded} escalated={result.escalated} "
            f"closed={result.closed} retried={retried}"
        )
