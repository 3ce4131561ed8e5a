"""Run from cron (daily): delete photo files that no report refers to."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from portal.tipoffs.photos import sweep_orphan_photos


class Command(BaseCommand):
    help = (
        "Delete photo files in the evidence storage that no report photo refers to (left behind "
        "when a report's transaction rolled back after its files were written). Files younger "
        "than --min-age-hours (default 24) are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count.")
        parser.add_argument("--min-age-hours", type=int, default=24)

    def handle(self, *args, **options):
        count = sweep_orphan_photos(
            older_than=timedelta(hours=options["min_age_hours"]), dry_run=options["dry_run"]
        )
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(f"{verb} {count} orphaned photo files")
