"""The participation statistics as XLSX, written by Wagtail's ``SpreadsheetExportMixin``.

Three sheets (quiz takers per day, scores by topic, points by sub-district), each written row by
row through the mixin's ``generate_xlsx_row``: days are real dates (Excel sorts and filters them
as dates), numbers stay numbers, and every text cell is formula-safe (the mixin is wrapped by
``portal.spreadsheets.protect_wagtail_exports``, so a sub-district or topic named ``=1+1`` is
text). No hand-written cell writer.
"""

from __future__ import annotations

from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from portal.spreadsheets import xlsx_cells

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsExport(SpreadsheetExportMixin):
    """Not a view: the mixin's writing machinery applied to the three tables of ``stats``."""

    def __init__(self, stats: dict) -> None:
        self.stats = stats

    def get_filename(self) -> str:
        return f"learning-{self.stats['date_from']:%Y%m%d}-{self.stats['date_to']:%Y%m%d}"

    def sheets(self) -> list[tuple[str, list[tuple[str, str]], list[dict]]]:
        """(title, [(field, heading)], rows as dicts) for each sheet."""
        stats = self.stats
        return [
            (
                _("Quiz takers per day"),
                [("day", _("Date")), ("n", _("Quiz takers"))],
                [{"day": day, "n": n} for day, n in stats["days"]],
            ),
            (
                _("Scores by topic"),
                [
                    ("topic", _("Topic")),
                    ("answers", _("Answers")),
                    ("learners", _("Learners")),
                    ("score", _("Correct rate")),
                ],
                stats["topics"],
            ),
            (
                _("Points by sub-district"),
                [
                    ("name", _("Sub-district")),
                    ("learners", _("Quiz takers")),
                    ("issued", _("Points issued")),
                    ("redeemed", _("Points redeemed")),
                ],
                [{**row, "name": row["name"] or _("Not given")} for row in stats["subdistricts"]],
            ),
        ]

    def write_xlsx(self, queryset, output) -> None:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True, iso_dates=True)
        for title, columns, rows in self.sheets():
            self.list_export = [field for field, _heading in columns]
            self.export_headings = dict(columns)
            worksheet = workbook.create_sheet(title=title[:31])
            worksheet.append(xlsx_cells(worksheet, [heading for _field, heading in columns]))
            for row in rows:
                worksheet.append(self.generate_xlsx_row(worksheet, self.to_row_dict(row)))
        workbook.save(output)


def statistics_xlsx(stats: dict) -> HttpResponse:
    export = StatisticsExport(stats)
    output = BytesIO()
    export.write_xlsx(None, output)
    response = HttpResponse(output.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{export.get_filename()}.xlsx"'
    return response
