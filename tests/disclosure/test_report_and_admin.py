"""The annual report counts and XLSX, and who may run the request workflow in the admin."""

import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from disclosure import workflow
from disclosure.models import AnnualReportInputs, DisclosureRequest
from disclosure.report import build_annual_report

pytestmark = pytest.mark.django_db
D = dt.date
VALID_ID = "11010519491231002X"


def submit(on_date, applicant_type="person", id_type="resident_id", id_number=VALID_ID):
    request, _ = workflow.request_submit(
        data={
            "applicant_type": applicant_type,
            "applicant_name": "申请人",
            "id_type": id_type,
            "id_number": id_number,
            "email": "a@example.org",
            "description": "请公开……",
            "delivery": "email",
        },
        submission_token=uuid.uuid4(),
        on_date=on_date,
    )
    return request


def row(report, label):
    return next(r.counts for r in report.requests_rows if r.label.startswith(label))


def test_the_annual_report_counts_requests_by_applicant_type_and_outcome(officer):
    carried = submit(D(2024, 12, 20))  # received last year, answered this year
    workflow.request_reply(
        request=carried,
        actor=officer,
        reply_type="disclosed",
        text="见附件",
        on_date=D(2025, 1, 10),
    )
    a = submit(D(2025, 3, 3))
    workflow.request_reply(
        request=a, actor=officer, reply_type="disclosed", text="见附件", on_date=D(2025, 3, 20)
    )
    b = submit(
        D(2025, 4, 1),
        applicant_type="business",
        id_type="credit_code",
        id_number="91510400MA62X0XX3P",
    )
    workflow.request_reply(
        request=b,
        actor=officer,
        reply_type="withheld_third",
        text="不予公开",
        reason="第十五条",
        on_date=D(2025, 4, 20),
    )
    c = submit(
        D(2025, 5, 6), applicant_type="legal", id_type="credit_code", id_number="31510000MD0000000Q"
    )
    workflow.request_redirect(
        request=c, actor=officer, note="请通过举报渠道反映。", on_date=D(2025, 5, 7)
    )
    submit(D(2025, 12, 29))  # still open at year end: carried over
    report = build_annual_report(2025)
    assert row(report, "一、本年新收") == [2, 1, 0, 0, 1, 0, 4]
    assert row(report, "二、上年结转") == [1, 0, 0, 0, 0, 0, 1]
    assert row(report, "（一）予以公开") == [2, 0, 0, 0, 0, 0, 2]
    assert row(report, "（三）不予公开") == [0, 1, 0, 0, 0, 0, 1]
    assert row(report, "4.保护第三方合法权益") == [0, 1, 0, 0, 0, 0, 1]
    assert row(report, "（五）不予处理") == [0, 0, 0, 0, 1, 0, 1]
    assert row(report, "1.信访举报投诉类申请") == [0, 0, 0, 0, 1, 0, 1]
    assert row(report, "（七）总计") == [2, 1, 0, 0, 1, 0, 4]
    assert row(report, "四、结转下年度继续办理") == [1, 0, 0, 0, 0, 0, 1]
    # The standard's check: new + carried in == handled + carried out.
    total = lambda label: row(report, label)[-1]  # noqa: E731
    assert total("一、") + total("二、") == total("（七）总计") + total("四、")


def test_officer_entered_figures_appear_on_the_page_and_in_the_xlsx(client):
    from openpyxl import load_workbook

    AnnualReportInputs.objects.create(
        year=2024, review_upheld=2, review_corrected=1, problems="公开时效有待提高。"
    )
    page = client.get(reverse("disclosure:annual_report", args=[2024]))
    assert page.status_code == 200 and "公开时效有待提高。" in page.content.decode()
    response = client.get(reverse("disclosure:annual_report_xlsx", args=[2024]))
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.active.iter_rows(values_only=True))
    # Section 四 is one row of 15 numbers: 行政复议 then the two kinds of 行政诉讼.
    assert (2, 1, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) in [tuple(r[:15]) for r in rows]
    labels = [r[0] for r in rows if r[0]]
    for section in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ):
        assert section in labels


def test_a_future_year_has_no_report(client):
    assert client.get(reverse("disclosure:annual_report", args=[2999])).status_code == 404


@pytest.fixture
def open_request():
    return submit(D(2025, 9, 25))


@pytest.mark.parametrize("persona", ["resident", "editor"])
def test_who_may_not_see_the_request_queue_or_a_request(client, request, persona, open_request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("disclosure_admin:queue")).status_code in (302, 403)
    response = client.get(reverse("disclosure_admin:detail", args=[open_request.pk]))
    assert response.status_code in (302, 403)
    assert VALID_ID not in response.content.decode()


def test_an_officer_runs_the_workflow_from_the_admin(client, officer, open_request, department):
    client.force_login(officer)
    queue = client.get(reverse("disclosure_admin:queue"))
    assert queue.status_code == 200 and open_request.tracking_number in queue.content.decode()
    url = reverse("disclosure_admin:detail", args=[open_request.pk])
    detail = client.get(url)
    # The ID number is masked; the full number only through the logged reveal (docs/privacy.md).
    assert detail.status_code == 200 and VALID_ID not in detail.content.decode()
    assert open_request.masked_id in detail.content.decode()
    response = client.post(url, {"action": "extend", "extend-days": "25", "extend-reason": "x"})
    assert response.status_code == 200 and response.context["bound_action"] == "extend"
    open_request.refresh_from_db()
    assert open_request.extension_days == 0
    response = client.post(
        url, {"action": "reply", "reply-reply_type": "withheld_secret", "reply-text": "不予公开"}
    )
    assert "reason" in dict(
        next(f for n, _l, f in response.context["action_forms"] if n == "reply").errors
    )
    response = client.post(url, {"action": "assign", "assign-department": department.pk})
    assert response.status_code == 302
    response = client.post(
        url, {"action": "reply", "reply-reply_type": "disclosed", "reply-text": "见附件。"}
    )
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.status == DisclosureRequest.Status.REPLIED
    assert list(open_request.events.values_list("kind", "actor__username")) == [
        ("received", None),
        ("assigned", "officer"),
        ("replied", "officer"),
    ]


def test_the_officer_role_has_the_disclosure_permissions(officer, editor):
    assert officer.has_perm("disclosure.process_disclosurerequest")
    assert officer.has_perm("disclosure.add_indicatorreading")
    assert officer.has_perm("disclosure.add_projectprogress")
    assert not editor.has_perm("disclosure.process_disclosurerequest")


def test_an_officer_cannot_date_a_step_in_the_future(client, officer, open_request):
    client.force_login(officer)
    url = reverse("disclosure_admin:detail", args=[open_request.pk])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "action": "reply",
            "reply-reply_type": "disclosed",
            "reply-text": "见附件。",
            "reply-on_date": tomorrow.isoformat(),
        },
    )
    assert response.status_code == 200
    form = next(f for n, _l, f in response.context["action_forms"] if n == "reply")
    assert "on_date" in form.errors
    open_request.refresh_from_db()
    assert open_request.status != DisclosureRequest.Status.REPLIED


def test_the_report_page_links_to_the_neighbouring_years(client):
    this_year = timezone.localdate().year
    body = client.get(reverse("disclosure:annual_report", args=[this_year - 1])).content.decode()
    assert reverse("disclosure:annual_report", args=[this_year - 2]) in body
    assert reverse("disclosure:annual_report", args=[this_year]) in body
    body = client.get(reverse("disclosure:annual_report", args=[this_year])).content.decode()
    assert reverse("disclosure:annual_report", args=[this_year + 1]) not in body


def test_once_only_steps_are_no_longer_offered_once_taken(client, officer, open_request):
    workflow.request_extend(
        request=open_request, actor=officer, days=10, reason="需要协调", on_date=D(2025, 10, 9)
    )
    client.force_login(officer)
    url = reverse("disclosure_admin:detail", args=[open_request.pk])
    response = client.get(url)
    offered = [name for name, _label, _form in response.context["action_forms"]]
    assert "extend" not in offered and "reply" in offered
    response = client.post(url, {"action": "extend", "extend-days": "5", "extend-reason": "再延"})
    assert response.status_code == 302
    open_request.refresh_from_db()
    assert open_request.extension_days == 10
