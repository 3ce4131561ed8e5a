"""The case queue's CSV export (Wagtail ``list_export``): case columns only, in the user's scope."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.models import Permission
from django.urls import reverse

from portal.tipoffs import workflow
from portal.tipoffs.models import Category
from tests.factories import PASSWORD
from tests.tipoffs.conftest import REPORTER


def export_csv(client, **params) -> list[list[str]]:
    response = client.get(reverse("tipoffs_admin:index"), {"export": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_csv_export_has_no_reporter_identity_and_keeps_a_handlers_department_scope(
    client, submit, intake, handler_a, dept_a, dept_b
):
    def assigned_to(department):
        case = workflow.tipoff_accept(tipoff=submit(), actor=intake)
        return workflow.tipoff_assign(tipoff=case, actor=intake, departments=[department])

    mine, theirs = assigned_to(dept_a), assigned_to(dept_b)
    # A handler given the export right still exports only their departments' reports.
    handler_a.user_permissions.add(Permission.objects.get(codename="export_tipoffs"))
    assert client.login(username=handler_a.username, password=PASSWORD)

    rows = export_csv(client, queue="all")
    header, body = rows[0], rows[1:]
    assert "案件编号" in header  # translated headings (tests run in zh-hans)
    assert [row[0] for row in body] == [mine.reference]
    text = "\n".join(",".join(row) for row in rows)
    assert theirs.reference not in text
    for secret in REPORTER.values():
        assert secret not in text
    assert mine.tracking_code not in text

    # The queue's filters apply to the export too.
    water = Category.objects.get(code="water")
    assert export_csv(client, queue="all", category=water.pk)[1:] == []


def test_the_xlsx_export_has_dates_as_dates_in_local_time(client, submit, intake):
    """Contract with openpyxl: Wagtail's SpreadsheetExportMixin writes real date cells (Excel
    sorts and filters them as dates), times in local time, numbers as numbers."""
    from django.utils import timezone
    from openpyxl import load_workbook

    case = workflow.tipoff_accept(tipoff=submit(), actor=intake)
    assert client.login(username=intake.username, password=PASSWORD)
    response = client.get(reverse("tipoffs_admin:index"), {"export": "xlsx", "queue": "all"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    submitted, due = row["提交时间"], row["受理期限"]
    assert submitted.is_date and due.is_date
    local = timezone.localtime(case.submitted_at).replace(tzinfo=None, second=0, microsecond=0)
    assert submitted.value == local
    assert due.value == case.acceptance_due  # a date cell, read back as a date
    assert row["案件编号"].value == case.reference
    # The CSV gives the same day in ISO form.
    rows = export_csv(client, queue="all")
    assert rows[1][rows[0].index("受理期限")] == case.acceptance_due.isoformat()
