from django.core.management.base import BaseCommand
from django.db import transaction

from disclosure import data
from disclosure.models import DisclosureCategory, Indicator, KeyProject, ProjectSystem
from portal.models import Department


class Command(BaseCommand):
    help = (
        "Load (or refresh) the plan's 35 indicators (表1), the six systems (表2) and the 48 key "
        "projects (附表) from disclosure/data/*.csv, and the catalogue categories. Idempotent; "
        "links responsible units to existing departments, so run it after seed_reference."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        categories = data.load_categories(DisclosureCategory)
        indicators = data.load_indicators(Indicator, Department)
        projects = data.load_projects(ProjectSystem, KeyProject, Department)
        data.load_english_names(DisclosureCategory, Indicator, ProjectSystem, KeyProject)
        self.stdout.write(
            self.style.SUCCESS(
                f"{categories} categories, {indicators} indicator rows, {projects} projects loaded."
            )
        )
