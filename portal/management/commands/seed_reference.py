from django.core.management.base import BaseCommand

from portal.reference import ensure_reference_data


class Command(BaseCommand):
    help = "Create or update the district's sub-districts and departments (idempotent)."

    def handle(self, *args, **options):
        ensure_reference_data()
        self.stdout.write(self.style.SUCCESS("Reference data is up to date."))
