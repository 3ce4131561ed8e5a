"""Store population margins for a survey from a ``variable,category,value`` CSV.

    python manage.py survey_margins eco-2025 margins.csv --label "第七次人口普查" \\
        --source "区统计局, 2020"

The same validation as the admin upload: the survey's weighting variables (``subdistrict``,
``sex``, ``age_group`` and optionally single-choice question codes), every category present
and known, shares summing to 1 or positive counts. Nothing is stored when a problem is found;
earlier uploads and published releases are never changed.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.analysis import margin_problem_text, parse_survey_margins
from surveys.margins import MarginsError
from surveys.models import Survey
from surveys.services import margins_store


class Command(BaseCommand):
    help = "Validate a margins CSV against a survey's codes and store it as its current margins."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The survey's slug.")
        parser.add_argument("path", help="CSV with the columns variable,category,value.")
        parser.add_argument("--label", help="A name for these margins (default: the file name).")
        parser.add_argument("--source", default="", help="Where the figures come from.")
        parser.add_argument(
            "--illustrative",
            action="store_true",
            help="Mark the figures as illustrative (not official census data).",
        )

    def handle(self, *args, **options):
        survey = Survey.objects.filter(slug=options["slug"]).first()
        if survey is None:
            raise CommandError(f"No survey with the slug '{options['slug']}'.")
        path = Path(options["path"])
        try:
            data = path.read_bytes()
        except OSError:
            raise CommandError(f"Margins file not found: {path}") from None
        margins = read_survey_margins(survey, data)
        record = margins_store(
            survey=survey,
            margins=margins,
            label=options["label"] or path.name,
            source_note=options["source"],
            illustrative=options["illustrative"],
            filename=path.name,
        )
        self.stdout.write(
            f"Stored margins '{record.label}' for {survey.slug}: "
            f"{', '.join(margins.variables)} ({len(record.rows)} rows)."
        )


def read_survey_margins(survey, data: bytes):
    """Parse and validate; raise CommandError listing every problem."""
    try:
        return parse_survey_margins(survey, data)
    except MarginsError as error:
        problems = "\n".join(f"- {margin_problem_text(p)}" for p in error.problems)
        raise CommandError(f"The margins are not valid:\n{problems}") from None
