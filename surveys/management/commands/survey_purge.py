"""Delete survey abuse signals past their retention period and drafts of closed surveys."""

from django.core.management.base import BaseCommand

from surveys.services import retention_days, signals_purge


class Command(BaseCommand):
    help = (
        "Delete abuse signals (salted hashes of network signals) older than the retention "
        "period (SURVEYS_SIGNAL_RETENTION_DAYS, default 30) and unsubmitted drafts of closed "
        "surveys. Run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Retention in days (default: the setting)."
        )

    def handle(self, *args, days=None, **options):
        days = retention_days() if days is None else days
        counts = signals_purge(days=days)
        self.stdout.write(
            f"Deleted {counts['signals']} abuse signals older than {days} days and "
            f"{counts['drafts']} drafts of closed surveys."
        )
