"""Weighted rates of a survey in the database, with its stored margins and scoring definitions.

    python manage.py survey_rates eco-2025 --format table --trim-cap 5

The JSON output has the shape of ``survey_weigh --format json`` plus ``survey``, ``settings``,
``margin_fit`` and ``definitions``; the numbers are the ones the dashboard shows and a release
would freeze (both run :func:`surveys.analysis.analyse`).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from surveys.analysis import AnalysisError, analyse, rates_table_lines
from surveys.models import Survey
from surveys.rates import DEFAULT_MIN_N


class Command(BaseCommand):
    help = (
        "Weight a survey's responses to its stored population margins and print the weighted "
        "rates with standard errors and 95% logit confidence intervals."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The survey's slug.")
        parser.add_argument("--format", choices=("json", "table"), default="json")
        parser.add_argument(
            "--trim-cap",
            type=float,
            help="Trim weights above this multiple of the mean weight, then re-rake.",
        )
        parser.add_argument(
            "--trim-floor", type=float, help="Raise weights below this multiple of the mean."
        )
        parser.add_argument(
            "--min-n",
            type=int,
            default=DEFAULT_MIN_N,
            help=f"Suppress breakdown cells with fewer respondents (default {DEFAULT_MIN_N}).",
        )

    def handle(self, *args, **options):
        survey = Survey.objects.filter(slug=options["slug"]).first()
        if survey is None:
            raise CommandError(f"No survey with the slug '{options['slug']}'.")
        try:
            analysis = analyse(
                survey,
                trim_cap=options["trim_cap"],
                trim_floor=options["trim_floor"],
                min_n=options["min_n"],
            )
        except AnalysisError as error:
            raise CommandError(str(error)) from None
        output = analysis.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{survey.title} ({survey.slug})")
            self.stdout.write("\n".join(rates_table_lines(output)))
