"""CSV/XLSX export of the reports a user may see — never with the reporter's identity.

The columns are a fixed list of case fields; the identity lives in another table that this
module does not read, so no option can add it. Cells go through portal.spreadsheets, so an
address typed as ``=HYPERLINK(...)`` is text, not a formula.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.spreadsheets import write_csv_row, xlsx_append_row

COLUMNS = [
    ("reference", lambda t: t.reference),
    ("category", lambda t: str(t.category)),
    ("subdistrict", lambda t: t.subdistrict.name),
    ("public_location", lambda t: t.public_address),
    ("state", lambda t: t.get_state_display()),
    ("submitted_at", lambda t: timezone.localtime(t.submitted_at).strftime("%Y-%m-%d %H:%M")),
    ("acceptance_due", lambda t: t.acceptance_due.isoformat()),
    ("handling_due", lambda t: t.handling_due.isoformat() if t.handling_due else ""),
    ("current_deadline", lambda t: t.due_date.isoformat() if t.due_date else ""),
    ("extension_days", lambda t: t.extension_days or ""),
    ("departments", lambda t: "、".join(a.department.name for a in t.assignments.all())),
    ("finding", lambda t: t.get_finding_display() if t.finding else ""),
    (
        "resolved_at",
        lambda t: timezone.localtime(t.resolved_at).strftime("%Y-%m-%d") if t.resolved_at else "",
    ),
    ("rating", lambda t: t.rating or ""),
    ("confidentiality", lambda t: t.get_confidentiality_display()),
    ("channel", lambda t: t.get_channel_display()),
]


#: Column headings (translated when written).
HEADINGS = {
    "reference": _("Case number"),
    "category": _("Category"),
    "subdistrict": _("Sub-district"),
    "public_location": _("Public location"),
    "state": _("State"),
    "submitted_at": _("Submitted at"),
    "acceptance_due": _("Acceptance due"),
    "handling_due": _("Handling due"),
    "current_deadline": _("Current deadline"),
    "extension_days": _("Extension (days)"),
    "departments": _("Departments"),
    "finding": _("Finding"),
    "resolved_at": _("Resolved at"),
    "rating": _("Rating"),
    "confidentiality": _("Confidentiality"),
    "channel": _("Channel"),
}


#: What the export says about personal fields (docs/privacy.md): the case columns only, offered
#: to roles whose policy grants ``export``; the reporter's identity is never among them.
PERSONAL_DATA_HEADER = "X-Personal-Data"
PERSONAL_DATA_STATEMENT = "none (case fields only; reporter identities are never exported)"


def headers() -> list[str]:
    return [str(HEADINGS[key]) for key, _fn in COLUMNS]


def rows(queryset):
    for tipoff in queryset.prefetch_related("assignments__department").iterator(chunk_size=2000):
        yield [fn(tipoff) for _key, fn in COLUMNS]


class _Echo:
    def write(self, value):
        return value


def export_response(queryset, *, fmt: str, user=None):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # Excel opens UTF-8 CSV correctly with a BOM
            yield write_csv_row(writer, headers())
            for row in rows(queryset):
                yield write_csv_row(writer, row)

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="tipoffs-{stamp}.csv"'
        response[PERSONAL_DATA_HEADER] = PERSONAL_DATA_STATEMENT
        return response
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("tipoffs")
    xlsx_append_row(sheet, headers())
    for row in rows(queryset):
        xlsx_append_row(sheet, row)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="tipoffs-{stamp}.xlsx"'
    response[PERSONAL_DATA_HEADER] = PERSONAL_DATA_STATEMENT
    return response
