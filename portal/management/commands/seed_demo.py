from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import DEMO_PASSWORD, DEMO_USERS, order_sections

#: Seeded in this order: learning links its questions to column and disclosure pages.
PROJECT_APPS = (
    "portal",
    "portal.tipoffs",
    "cms",
    "disclosure",
    "surveys",
    "portal.learning",
    "enterprises",
)


class Command(BaseCommand):
    help = (
        "Create demo content for local use: the site tree, sub-districts, departments, roles and "
        "one demo user per role. Idempotent. Refuses to run without DEBUG unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Create demo users even though DEBUG is off."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: refusing to create demo users with known passwords. "
                "Use --force only on a non-public machine."
            )
        installed = {config.name: config for config in apps.get_app_configs()}
        for name in PROJECT_APPS:
            config = installed.get(name)
            if config is None:
                continue
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is not None:
                import_module(module_name).seed()
                self.stdout.write(f"  seeded {config.label}")
        order_sections()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Demo users (password for all: {DEMO_PASSWORD}):")
        )
        for _username, email, role, _department in DEMO_USERS:
            self.stdout.write(f"  {email:<24} {role or 'resident'}")
