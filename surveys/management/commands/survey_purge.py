"""Delete survey abuse signals past their retention period and drafts of closed surveys."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from surveys.releases import release_files_sweep
from surveys.services import retention_days, signals_purge
from surveys.tasks import EXPORT_STALE_HOURS, export_jobs_purge


class Command(BaseCommand):
    help = (
        "Delete abuse signals (salted hashes of network signals) older than the retention "
        "period (SURVEYS_SIGNAL_RETENTION_DAYS, default 30) and unsubmitted drafts of closed "
        "surveys; export files older than SURVEYS_EXPORT_KEEP_DAYS (default 7) and exports whose "
        "worker died; files in the private storage that no export or release refers to. Run "
        "daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="Retention in days (default: the setting)."
        )

    def handle(self, *args, days=None, **options):
        days = retention_days() if days is None else days
        counts = signals_purge(days=days)
        exports = export_jobs_purge()
        releases = release_files_sweep(older_than=timedelta(hours=EXPORT_STALE_HOURS))
        self.stdout.write(
            f"Deleted {counts['signals']} abuse signals older than {days} days, "
            f"{counts['drafts']} drafts of closed surveys and {exports['exports']} old export "
            f"files; marked {exports['stale']} unfinished exports as failed; deleted "
            f"{exports['orphans'] + releases} orphaned files."
        )
