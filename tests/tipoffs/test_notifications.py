"""Notices: one outbox row per recipient and channel, sent after commit by a task per row, each
channel retried on its own; merged reporters follow the master under their own code."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from portal.models import Notification
from portal.notifications import outbox, render, rules, transports
from portal.phones import normalize_phone
from portal.sms import MemorySmsSender
from portal.tipoffs import notifications, workflow
from portal.tipoffs.models import ReporterIdentity, State
from tests.tipoffs.conftest import REPORTER

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_before_the_transaction_commits(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit()
    assert not MemorySmsSender.outbox and len(callbacks) == 1
    rows = Notification.objects.order_by("channel")
    assert [(r.channel, r.state) for r in rows] == [("email", "queued"), ("sms", "queued")]


def test_a_reporter_notice_is_one_row_per_channel_holding_no_address(
    submit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tipoff = submit()
    rows = list(Notification.objects.filter(tipoff=tipoff))
    assert sorted(r.channel for r in rows) == ["email", "sms"]
    for row in rows:
        assert row.state == Notification.State.SENT and row.attempts == 1
        assert (row.recipient_kind, row.recipient_id) == ("tipoffs.reporter", tipoff.pk)
        assert row.related == tipoff and row.template == "tipoff_submitted"
        stored = str(row.__dict__)
        for secret in (REPORTER["phone"], REPORTER["email"], tipoff.tracking_code):
            assert secret not in stored
    assert len(MemorySmsSender.outbox) == 1 and len(mail.outbox) == 1


def test_a_failed_email_is_retried_alone_and_never_resends_the_sms(
    submit, monkeypatch, django_capture_on_commit_callbacks
):
    """The duplicate of the old outbox: one row sent both channels, so a retry after a failed
    e-mail texted the reporter again."""
    calls = {"n": 0}
    send_messages = EmailBackend.send_messages

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("smtp refused secret.reporter@example.org")
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        submit()
    email = Notification.objects.get(channel="email")
    assert email.state == Notification.State.FAILED and email.last_error == "ConnectionError"
    assert Notification.objects.get(channel="sms").state == Notification.State.SENT
    assert len(MemorySmsSender.outbox) == 1 and not mail.outbox

    assert notifications.retry_failed_notifications() == 1
    email.refresh_from_db()
    assert email.state == Notification.State.SENT and email.attempts == 2
    assert len(mail.outbox) == 1
    assert len(MemorySmsSender.outbox) == 1  # the text was not sent again
    assert notifications.retry_failed_notifications() == 0


def test_a_failed_text_is_recorded_without_the_address_and_retried(
    submit, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    calls = {"n": 0}

    def flaky(*, phone, template_id, params):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError(f"gateway refused {phone}")
        MemorySmsSender().send(phone, template_id, params)

    monkeypatch.setattr(transports, "send_sms", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        submit(email="")
    notice = Notification.objects.get()
    assert notice.channel == "sms"
    assert notice.state == Notification.State.FAILED and notice.attempts == 1
    assert notice.last_error == "ConnectionError"
    assert REPORTER["phone"] not in caplog.text
    assert notifications.retry_failed_notifications() == 1
    notice.refresh_from_db()
    assert notice.state == Notification.State.SENT and notice.attempts == 2


def test_retries_stop_after_the_maximum(
    submit, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_NOTIFY_MAX_ATTEMPTS = 2

    def broken(**kwargs):
        raise TimeoutError

    monkeypatch.setattr(transports, "send_sms", broken)
    with django_capture_on_commit_callbacks(execute=True):
        submit(email="")
    notifications.retry_failed_notifications()
    assert Notification.objects.get().attempts == 2
    assert notifications.retry_failed_notifications() == 0


def test_the_text_is_a_gateway_template_id_with_parameters(
    submit, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_SMS_TEMPLATES = {**settings.PORTAL_SMS_TEMPLATES, "tipoff_submitted": "SMS_1"}
    with django_capture_on_commit_callbacks(execute=True):
        tipoff = submit(email="")
    (sent,) = MemorySmsSender.outbox
    assert sent.phone == normalize_phone(REPORTER["phone"]) and sent.template_id == "SMS_1"
    assert sent.params == {
        "code": tipoff.display_code,
        "acceptance_due": tipoff.acceptance_due.isoformat(),
    }
    assert list(sent.params) == ["code", "acceptance_due"]  # Tencent takes them in this order


def test_an_answered_case_texts_the_reporter_by_one_rule(
    case_in, django_capture_on_commit_callbacks
):
    assert ("reporter", "sms", "tipoff_resolved") in notifications.RULES["tipoffs.resolved"]
    with django_capture_on_commit_callbacks(execute=True):
        tipoff = case_in(State.RESOLVED)
    resolved = [s for s in MemorySmsSender.outbox if s.template_id.endswith("TIPOFF_RESOLVED")]
    assert [s.params for s in resolved] == [{"code": tipoff.display_code}]


def test_merge_notifies_every_merged_reporter_of_the_masters_updates(
    submit, intake, dept_a, handler_a, django_capture_on_commit_callbacks
):
    master = submit(description="主报告")
    other = submit(description="重复报告", phone="13800000001", email="")
    anonymous = submit(real_name=False)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.tipoff_merge(tipoff=other, master=master, actor=intake)
        workflow.tipoff_merge(tipoff=anonymous, master=master, actor=intake)
    MemorySmsSender.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.tipoff_accept(tipoff=master, actor=intake)
        workflow.tipoff_assign(tipoff=master, actor=intake, departments=[dept_a])
        workflow.tipoff_start_investigation(tipoff=master, actor=handler_a)
        workflow.tipoff_resolve(
            tipoff=master, actor=handler_a, finding="true", measures="整改", public_reply="已办结"
        )
    phones = [sent.phone for sent in MemorySmsSender.outbox]
    assert phones.count(normalize_phone(REPORTER["phone"])) == 3  # accepted, assigned, resolved
    assert phones.count("+8613800000001") == 3
    merged = [s.params for s in MemorySmsSender.outbox if s.phone == "+8613800000001"]
    assert all(params["code"] == other.display_code for params in merged)
    assert not Notification.objects.filter(tipoff=anonymous).exists()
    assert all(
        row.recipient_id == other.pk and row.context == {"about": master.pk}
        for row in Notification.objects.filter(tipoff=other, event="tipoffs.accepted")
    )


def test_a_reporter_notice_about_another_case_refuses_to_render(submit):
    first, second = submit(), submit(phone="13800000002")
    row = Notification.objects.filter(tipoff=first, channel="email").first()
    row.recipient_id = second.pk  # a reporter, and someone else's case
    with pytest.raises(Exception, match="reporter's case"):
        render.context_for(row)


def test_an_erased_identity_stops_the_unsent_notices(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tipoff = submit()
    ReporterIdentity.objects.filter(tipoff=tipoff).update(phone="", email="", name="")
    for callback in callbacks:
        callback()
    assert set(Notification.objects.values_list("state", flat=True)) == {"skipped"}
    assert not mail.outbox and not MemorySmsSender.outbox


def test_department_members_get_the_assignment_each_in_their_own_row(
    case_in, handler_a, django_capture_on_commit_callbacks
):
    handler_a.email = "a@dept.example"
    handler_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        tipoff = case_in(State.ASSIGNED)
    (message,) = [m for m in mail.outbox if "a@dept.example" in m.to]
    assert message.to == ["a@dept.example"]
    assert tipoff.reference in message.body and tipoff.reference in message.subject
    assert "/admin/tipoffs/" in message.body
    assert "交办给贵部门" in message.body
    assert tipoff.display_code not in message.body
    notice = Notification.objects.get(role="department", event="tipoffs.assigned")
    assert (notice.recipient_kind, notice.recipient_id, notice.channel) == (
        "user",
        handler_a.pk,
        "email",
    )


def test_anonymous_reporters_receive_nothing(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(real_name=False)
    assert not mail.outbox and not MemorySmsSender.outbox


@pytest.fixture
def fax_rules():
    rules.register_rules({"tests.faxed": [("reporter", "fax", "tipoff_submitted")]})
    yield
    rules._rules.pop("tests.faxed")


def test_an_unknown_channel_is_an_error(submit, fax_rules):
    tipoff = submit(real_name=False)
    with pytest.raises(transports.UnknownChannel):
        outbox.notify(
            "tests.faxed", tipoff, role="reporter", recipients=[rules.Recipient("user", 1)]
        )
    with pytest.raises(rules.UnknownEvent):
        outbox.notify("tests.never", tipoff, role="reporter", recipients=[])


def test_every_rule_has_its_templates_in_chinese_and_every_text_a_gateway_id(settings):
    context = {
        "code": "ABCD-EFGH-JKMN-PQRS-TVWX",
        "reference": "JB2026-000001",
        "category": "大气",
        "subdistrict": "东华街道",
        "acceptance_due": "2026-08-10",
        "due": "2026-10-08",
        "deadline": "2026-10-08",
        "extension_reason": "需委托第三方检测",
        "event_label": "催办",
        "follower": False,
    }
    for event, table in rules.all_rules().items():
        for rule in table:
            parts = {"email": ["subject", "email"], "sms": ["sms"]}[rule.channel]
            for part in parts:
                text = render.render(rule.template, part, context)
                assert re.search(r"[\u4e00-\u9fff]", text), (event, rule, part, text)
                assert not re.search(r"\b(your|report|the)\b", text, re.I), text
            if rule.channel == "sms":
                assert settings.PORTAL_SMS_TEMPLATES[rule.template]
                assert render.sms_params(rule.template, context)["code"] == context["code"]
