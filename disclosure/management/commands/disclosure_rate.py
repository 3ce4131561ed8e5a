import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from disclosure.selectors import plan_rate


class Command(BaseCommand):
    help = (
        "Print the disclosure rate of a year's plan (entries published on time / entries due "
        "by the as-of date). See docs/methodology.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options):
        as_of = timezone.localdate()
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of must be YYYY-MM-DD: {exc}") from exc
        result, late, missing, _entries = plan_rate(year=options["year"], as_of=as_of)
        payload = result.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        rate = "—" if payload["rate"] is None else f"{payload['rate'] * 100:.2f}%"
        self.stdout.write(
            f"{payload['year']} as of {payload['as_of']}: due {payload['due']}, on time "
            f"{payload['on_time']}, late {payload['late']}, missing {payload['missing']}, rate {rate}"
        )
        for entry in late:
            self.stdout.write(f"  late:    {entry.title} (due {entry.due_on})")
        for entry in missing:
            self.stdout.write(f"  missing: {entry.title} (due {entry.due_on})")
