from django.core.management.base import BaseCommand

from enterprises import services


class Command(BaseCommand):
    help = (
        "Remind the accounts of listed enterprises whose annual report is due soon or late "
        "(once per report and kind). Run daily."
    )

    def handle(self, *args, **options):
        sent = services.reminders_send()
        self.stdout.write(f"{sent} reminders queued")
