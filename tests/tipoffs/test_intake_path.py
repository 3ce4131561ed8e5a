"""The report-intake path stays cheap: a constant number of statements per submission.

Pins what docs/performance.md measures with bench/tipoffs_intake.py: the form's look-ups, the
category and working-day checks, one transaction (report, identity, photo, event, notice), the
queued notification task and the new session that remembers the tracking code.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from portal.models import Notification
from portal.tipoffs.models import ReporterIdentity, Tipoff, TipoffPhoto
from tests.tipoffs.conftest import jpeg_bytes, upload

pytestmark = pytest.mark.django_db

NEW = "/en/tipoffs/new"
# With a photo; a report without one saves one statement (the photo row). Raise this only
# with a reason: every statement is paid by every citizen's submission.
# 17 since issue 18 (PIPL): the notice in force is read and the real-name consent recorded with
# the report (2 statements), and the shared validation checks the category is a leaf (1).
INTAKE_CEILING = 17
QUEUED_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def form_data(category, subdistrict, phone, **extra):
    return {
        "category": category.pk,
        "subdistrict": subdistrict.pk,
        "address": "东华街道攀枝花大道东段123号",
        "observed_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "description": "建筑工地夜间施工扬尘严重，没有洒水降尘。",
        "confidentiality": "real_name",
        "name": "张保密",
        "phone": phone,
        "consent": "on",
        **extra,
    }


def statements(client, data) -> int:
    client.cookies.clear()  # a new visitor each time, as in the benchmark
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(NEW, data)
    assert response.status_code == 302, response.content[:2000]
    return len(ctx.captured_queries)


@override_settings(TASKS=QUEUED_TASKS)
def test_a_submission_runs_a_constant_small_number_of_statements(client, category, subdistrict):
    # The first report of a process also loads the categories and the year's calendar into the
    # process's copies (portal.process_cache); every later one runs the same statements.
    statements(client, form_data(category, subdistrict, "13712345670"))
    with_photo = [
        statements(
            client,
            form_data(category, subdistrict, f"1391234567{i}", photos=[upload(jpeg_bytes())]),
        )
        for i in range(3)
    ]
    without_photo = [
        statements(client, form_data(category, subdistrict, f"1381234567{i}")) for i in range(3)
    ]

    assert len(set(with_photo)) == 1, with_photo  # constant: no growth with earlier reports
    assert with_photo[0] <= INTAKE_CEILING, with_photo
    assert without_photo == [with_photo[0] - 1] * 3, (with_photo, without_photo)
    assert Tipoff.objects.count() == 7
    assert TipoffPhoto.objects.count() == 3
    assert ReporterIdentity.objects.count() == 7
    # One confirmation each (a row per channel; these give a phone only), queued, not sent inline.
    assert Notification.objects.count() == 7
