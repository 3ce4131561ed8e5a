"""Create the default routing table (category → department) once the departments exist."""

from django.core.management.base import BaseCommand

from portal.models import Department
from portal.tipoffs.models import Category, RoutingRule
from portal.tipoffs.taxonomy import seed_taxonomy


class Command(BaseCommand):
    help = "Create the taxonomy and the default routing rules (run after seed_reference)."

    def handle(self, *args, **options):
        seed_taxonomy(Category, RoutingRule, Department)
        self.stdout.write(f"{RoutingRule.objects.count()} routing rules")
