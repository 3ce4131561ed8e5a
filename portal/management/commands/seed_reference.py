from django.core.management.base import BaseCommand

from portal.reference import ensure_reference_data
from portal.sites import sync_default_site


class Command(BaseCommand):
    help = (
        "Create or update the district's sub-districts and departments, and point the default "
        "site at PORTAL_BASE_URL (idempotent)."
    )

    def handle(self, *args, **options):
        ensure_reference_data()
        site = sync_default_site()
        if site is not None:
            self.stdout.write(f"Default site: {site.root_url}")
        self.stdout.write(self.style.SUCCESS("Reference data is up to date."))
