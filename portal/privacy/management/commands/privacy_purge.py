"""Run daily: purge every data category past its retention period (docs/privacy.md)."""

from django.core.management.base import BaseCommand, CommandError

from portal.privacy import registry
from portal.privacy.retention import run_purges


class Command(BaseCommand):
    help = (
        "Remove or anonymise personal data past its retention period, per category (reporter "
        "identities, original photos, applicant identities, abuse signals, unverified accounts, "
        "export files, requests without an account). Each run is recorded in the retention "
        "purge log with counts only. --dry-run counts without changing anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count.")
        parser.add_argument(
            "--category",
            action="append",
            dest="categories",
            help="Run only this category (repeatable). --list shows the keys.",
        )
        parser.add_argument("--list", action="store_true", help="List the categories and stop.")

    def handle(self, *args, dry_run=False, categories=None, list=False, **options):
        if list:
            for category in registry.retention_categories():
                self.stdout.write(f"{category.key}\t{category.label}\t{category.period()}")
            return
        try:
            results = run_purges(dry_run=dry_run, only=categories)
        except KeyError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would remove" if dry_run else "removed"
        for key, counts in results.items():
            detail = ", ".join(f"{label}={n}" for label, n in counts.items()) or "nothing"
            self.stdout.write(f"{key}: {verb} {detail}")
