"""Import paper or telephone (CATI) interviews into a survey: every row, or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.imports import import_responses
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Import interviews from a CSV (UTF-8 or GB18030/GBK), XLSX or SPSS .sav file: columns respondent_id, channel, "
        "subdistrict, sex, age_group, then one per question code (matrix rows as Q_row, "
        "multiple choices separated by ';'). All rows or none; every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The survey's slug.")
        parser.add_argument("file", help="Path to a .csv, .xlsx or .sav file.")
        parser.add_argument(
            "--encoding",
            choices=["auto", "utf-8", "gb18030"],
            default="auto",
            help="Encoding of a CSV file (default: UTF-8, else GB18030).",
        )

    def handle(self, *args, slug, file, encoding="auto", **options):
        try:
            survey = Survey.objects.get(slug=slug)
        except Survey.DoesNotExist:
            raise CommandError(f"No survey with slug {slug!r}.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        result = import_responses(
            survey=survey, filename=path.name, content=path.read_bytes(), encoding=encoding
        )
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(
                    f"row {problem.row}, column {problem.column or '-'}: {problem.reason}"
                )
            raise CommandError(
                f"Nothing imported: {len(result.problems)} problem(s) in {path.name}."
            )
        self.stdout.write(self.style.SUCCESS(f"Imported {result.rows} responses into {slug}."))
