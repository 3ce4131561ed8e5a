"""Notices: sent after commit by a task, retried on failure, merged reporters follow the master."""

from __future__ import annotations

import pytest
from django.core import mail

from portal.sms import MemorySmsSender
from portal.tipoffs import notifications, workflow
from portal.tipoffs.models import EventKind, Notification, State
from tests.tipoffs.conftest import REPORTER

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_before_the_transaction_commits(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit()
    assert not MemorySmsSender.outbox and len(callbacks) == 1
    assert Notification.objects.get().status == Notification.Status.PENDING


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
    phones = [phone for phone, _msg in MemorySmsSender.outbox]
    assert phones.count(REPORTER["phone"]) == 3  # accepted, assigned, resolved
    assert phones.count("13800000001") == 3
    merged_messages = [m for p, m in MemorySmsSender.outbox if p == "13800000001"]
    assert all(other.display_code in m for m in merged_messages)
    assert not Notification.objects.filter(tipoff=anonymous).exists()


def test_a_failed_send_is_recorded_without_the_address_and_retried(
    submit, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    calls = {"n": 0}

    def flaky(*, phone, message):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError(f"gateway refused {phone}")
        MemorySmsSender.outbox.append((phone, message))

    monkeypatch.setattr(notifications, "send_sms", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        submit(email="")
    notice = Notification.objects.get()
    assert notice.status == Notification.Status.FAILED and notice.attempts == 1
    assert notice.last_error == "ConnectionError"
    assert REPORTER["phone"] not in caplog.text
    assert notifications.retry_failed_notifications() == 1
    notice.refresh_from_db()
    assert notice.status == Notification.Status.SENT and notice.attempts == 2


def test_retries_stop_after_the_maximum(
    submit, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.TIPOFFS_NOTIFY_MAX_ATTEMPTS = 2

    def broken(**kwargs):
        raise TimeoutError

    monkeypatch.setattr(notifications, "send_sms", broken)
    with django_capture_on_commit_callbacks(execute=True):
        submit(email="")
    notifications.retry_failed_notifications()
    assert Notification.objects.get().attempts == 2
    assert notifications.retry_failed_notifications() == 0


def test_department_members_get_the_assignment_and_reminders(
    case_in, handler_a, django_capture_on_commit_callbacks
):
    handler_a.email = "a@dept.example"
    handler_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        tipoff = case_in(State.ASSIGNED)
    assert any("a@dept.example" in m.to for m in mail.outbox)
    notice = Notification.objects.get(audience="department", kind=EventKind.ASSIGNED)
    assert tipoff.reference in notice.body
    assert "/admin/tipoffs/" in notice.body


def test_anonymous_reporters_receive_nothing(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(real_name=False)
    assert not mail.outbox and not MemorySmsSender.outbox
