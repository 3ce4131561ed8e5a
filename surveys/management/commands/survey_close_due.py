"""Close the open surveys whose closing time has passed (through the survey state machine)."""

from django.core.management.base import BaseCommand

from surveys.services import surveys_close_due


class Command(BaseCommand):
    help = (
        "Close every open survey whose closing time has passed, one transition each with the "
        "system as actor (a 'survey closed' event per survey). Run hourly from cron."
    )

    def handle(self, *args, **options):
        closed = surveys_close_due()
        self.stdout.write(f"Closed {closed} surveys whose closing time had passed.")
