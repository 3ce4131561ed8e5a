"""The request queue as a Wagtail IndexView: named queues, filters, a safe export, who may open
it, and the request page's action panel drawn from the transition table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse

from disclosure import selectors, workflow
from disclosure.admin_views import EXPORT_COLUMNS, IDENTITY_FIELDS
from disclosure.filters import QUEUES
from disclosure.models import DisclosureRequest

pytestmark = pytest.mark.django_db
D = dt.date
VALID_ID = "11010519491231002X"
SECRETS = (VALID_ID, "张保密", "13912345678", "secret.applicant@example.org", "攀枝花市秘密路1号")


def submit(on_date, **extra):
    data = {
        "applicant_type": "person",
        "applicant_name": "张保密",
        "id_type": "resident_id",
        "id_number": VALID_ID,
        "phone": "13912345678",
        "email": "secret.applicant@example.org",
        "address": "攀枝花市秘密路1号",
        "description": '请公开=HYPERLINK("x")饮用水水源地监测数据。',
        "delivery": "email",
        **extra,
    }
    request, _ = workflow.request_submit(data=data, submission_token=uuid.uuid4(), on_date=on_date)
    return request


def listed(response) -> list[str]:
    return [r.tracking_number for r in response.context["object_list"]]


@pytest.fixture
def requests_(officer, department):
    paused = submit(D(2025, 10, 20))
    workflow.request_start_consultation(
        request=paused, actor=officer, note="征求意见", on_date=D(2025, 10, 21)
    )
    replied = submit(D(2025, 9, 1))
    workflow.request_assign(request=replied, department=department, actor=officer)
    workflow.request_reply(
        request=replied, actor=officer, reply_type="disclosed", text="见附件", on_date=D(2025, 9, 5)
    )
    running = submit(D(2025, 10, 24), applicant_type="business")
    return {"paused": paused, "replied": replied, "running": running}


def test_the_queue_names_agree_with_the_selector():
    assert tuple(QUEUES) == selectors.REQUEST_QUEUES


def test_named_queues_split_as_the_start_page_counts(officer):
    overdue = submit(D(2025, 9, 1))
    due_soon = submit(D(2025, 9, 25))
    paused = submit(D(2025, 10, 20))
    workflow.request_start_consultation(
        request=paused, actor=officer, note="征求意见", on_date=D(2025, 10, 21)
    )
    later = submit(D(2025, 10, 24))
    today = D(2025, 10, 23)
    queues = selectors.request_queues(user=officer, today=today)
    base = selectors.requests_for_user(user=officer)
    split = {
        name: sorted(
            selectors.in_request_queue(base, name, today=today).values_list("pk", flat=True)
        )
        for name in ("overdue", "due_soon", "paused")
    }
    assert split == {
        "overdue": [overdue.pk],
        "due_soon": [due_soon.pk],
        "paused": [paused.pk],
    }
    assert split["overdue"] == [r.pk for r in queues["overdue"]]
    assert split["due_soon"] == [r.pk for r in queues["due_soon"]]
    opened = selectors.in_request_queue(base, "open", today=today)
    assert set(opened.values_list("pk", flat=True)) == {
        overdue.pk,
        due_soon.pk,
        paused.pk,
        later.pk,
    }


def test_queue_and_filters(client, officer, requests_, department):
    client.force_login(officer)
    url = reverse("disclosure_admin:queue")
    r = requests_
    default = client.get(url)
    assert default.status_code == 200
    assert set(listed(default)) == {r["paused"].tracking_number, r["running"].tracking_number}
    assert listed(client.get(url, {"queue": "paused"})) == [r["paused"].tracking_number]
    assert listed(client.get(url, {"queue": "answered"})) == [r["replied"].tracking_number]
    assert listed(client.get(url, {"queue": "all", "reply_type": "disclosed"})) == [
        r["replied"].tracking_number
    ]
    assert listed(client.get(url, {"queue": "all", "department": department.pk})) == [
        r["replied"].tracking_number
    ]
    assert listed(client.get(url, {"queue": "all", "status": "in_consultation"})) == [
        r["paused"].tracking_number
    ]
    assert listed(client.get(url, {"queue": "all", "applicant_type": "business"})) == [
        r["running"].tracking_number
    ]
    dated = client.get(
        url, {"queue": "all", "received_from": "2025-10-01", "received_to": "2025-10-22"}
    )
    assert listed(dated) == [r["paused"].tracking_number]
    # The results-only view (AJAX refresh of the filters) answers the same.
    results = client.get(reverse("disclosure_admin:queue_results"), {"queue": "paused"})
    assert listed(results) == [r["paused"].tracking_number]


def test_a_bad_filter_value_is_shown_and_the_queue_still_applies(client, officer, requests_):
    client.force_login(officer)
    response = client.get(
        reverse("disclosure_admin:queue"), {"queue": "nonsense", "received_from": "0001-01-01"}
    )
    assert response.status_code == 200
    assert response.context["filters"].form.errors
    assert "replied" not in [
        DisclosureRequest.objects.get(tracking_number=t).status for t in listed(response)
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_has_no_applicant_identity(client, officer, requests_, fmt):
    client.force_login(officer)
    response = client.get(reverse("disclosure_admin:queue"), {"queue": "all", "export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        text = body.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) == 4  # heading + three requests
        assert requests_["replied"].tracking_number in text
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(body)).active
        text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
        assert requests_["replied"].tracking_number in text
    for secret in SECRETS:
        assert secret not in text
    assert "HYPERLINK" not in text  # the request's text is not exported at all
    exported = {key for key, _h, _fn in EXPORT_COLUMNS}
    assert not exported & set(IDENTITY_FIELDS)


@pytest.mark.parametrize("persona", ["resident", "editor"])
def test_who_may_not_open_or_export_the_queue(client, request, persona, requests_):
    client.force_login(request.getfixturevalue(persona))
    for params in ({}, {"export": "csv"}):
        response = client.get(reverse("disclosure_admin:queue"), params)
        assert response.status_code in (302, 403)
        assert VALID_ID not in response.content.decode()
    assert client.get(reverse("disclosure_admin:queue_results")).status_code in (302, 403)


def test_the_action_panel_offers_what_the_transition_table_allows(client, officer, requests_):
    client.force_login(officer)

    def actions(req):
        response = client.get(reverse("disclosure_admin:detail", args=[req.pk]))
        return [name for name, _label, _form in response.context["action_forms"]]

    for key, req in requests_.items():
        req.refresh_from_db()
        expected = [
            name
            for name in (
                "assign",
                "ask_supplement",
                "receive_supplement",
                "start_consultation",
                "end_consultation",
                "extend",
                "reply",
                "redirect",
                "close",
                "note",
            )
            if req.status in workflow.TRANSITIONS[{"note": "add_note"}.get(name, name)]
        ]
        assert set(actions(req)) <= set(expected), key
        assert "note" in actions(req)
    assert "end_consultation" in actions(requests_["paused"])
    assert "reply" not in actions(requests_["replied"])
    assert "close" in actions(requests_["replied"])


def test_the_start_page_counts_link_to_the_named_queues(client, officer, requests_):
    client.force_login(officer)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    queue = reverse("disclosure_admin:queue")
    assert f"{queue}?queue=overdue" in home and f"{queue}?queue=due_soon" in home
    overdue = client.get(queue, {"queue": "overdue"})
    # Received in 2025: the running request is long overdue, the paused one is not listed.
    assert listed(overdue) == [requests_["running"].tracking_number]
