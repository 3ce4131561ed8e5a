"""Run from cron (daily): erase reporter identities N years after a report was closed."""

from django.core.management.base import BaseCommand

from portal.tipoffs.retention import purge_reporter_identities


class Command(BaseCommand):
    help = (
        "Erase the name, phone and email of reporters whose reports closed more than "
        "TIPOFFS_IDENTITY_RETENTION_YEARS (default 3) years ago. What was purged is logged "
        "(case number and fields), never the data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count.")

    def handle(self, *args, **options):
        count = purge_reporter_identities(dry_run=options["dry_run"])
        verb = "would purge" if options["dry_run"] else "purged"
        self.stdout.write(f"{verb} {count} reporter identities")
