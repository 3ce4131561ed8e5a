"""Erase reporter identities N years after a report was closed: the ``reporter_identities``
category of the retention framework (``manage.py privacy_purge`` runs it with the others daily;
this command runs only it)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Erase the name, phone and email of reporters whose reports closed more than "
        "TIPOFFS_IDENTITY_RETENTION_YEARS (default 3) years ago. What was purged is logged "
        "(case number and fields), never the data. Same as "
        "`privacy_purge --category reporter_identities`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count.")

    def handle(self, *args, **options):
        args = ["--category", "reporter_identities"]
        if options["dry_run"]:
            args.append("--dry-run")
        call_command("privacy_purge", *args, stdout=self.stdout)
