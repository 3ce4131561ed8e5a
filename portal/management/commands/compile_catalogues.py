from django.core.management.base import BaseCommand

from portal.i18n_tools import compile_catalogues


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po to .mo in pure Python (no GNU gettext needed)."

    def handle(self, *args, **options):
        for path in compile_catalogues():
            self.stdout.write(f"  compiled {path}")
