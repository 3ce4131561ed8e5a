"""Deadlines on the statutory calendar (time pinned), extension, 催办 and 督办, retention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from portal.models import Notification
from portal.sms import MemorySmsSender
from portal.tipoffs import deadlines, workflow
from portal.tipoffs.models import (
    EventKind,
    IdentityAccessLog,
    PurgeLog,
    ReporterIdentity,
    State,
    Tipoff,
)
from tests.tipoffs.conftest import TZ

pytestmark = pytest.mark.django_db


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=TZ)


def test_acceptance_is_due_two_working_days_after_submission_skipping_national_day(submit):
    tipoff = submit(now=at(2026, 9, 30, 16))  # Wednesday before the 1–7 October holiday
    assert tipoff.acceptance_due == dt.date(2026, 10, 9)  # 8 Oct is day 1, 9 Oct day 2
    assert tipoff.due_date == dt.date(2026, 10, 9)


def test_the_acceptance_period_is_a_setting(submit, settings):
    settings.TIPOFFS_ACCEPT_WORKING_DAYS = 5
    tipoff = submit(now=at(2026, 9, 30, 16))
    assert tipoff.acceptance_due == dt.date(2026, 10, 13)  # 8, 9, 10 (调休 Saturday), 12, 13


def test_handling_ends_sixty_days_after_acceptance_and_a_holiday_end_moves_to_the_next_working_day(
    submit, intake
):
    tipoff = submit(now=at(2026, 8, 3))
    tipoff = workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=at(2026, 8, 3))
    # 3 August + 60 days = 2 October, inside the National Day holiday → Thursday 8 October.
    assert tipoff.handling_due == dt.date(2026, 10, 8)
    assert tipoff.due_date == dt.date(2026, 10, 8)


def test_one_extension_of_thirty_days_moves_the_deadline_and_tells_the_reporter(
    submit, intake, handler_a, dept_a, django_capture_on_commit_callbacks
):
    tipoff = submit(now=at(2026, 8, 3))
    workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=at(2026, 8, 3))
    workflow.tipoff_assign(tipoff=tipoff, actor=intake, departments=[dept_a], now=at(2026, 8, 4))
    with django_capture_on_commit_callbacks(execute=True):
        tipoff = workflow.tipoff_extend(
            tipoff=tipoff, actor=handler_a, days=30, reason="需委托第三方检测", now=at(2026, 9, 28)
        )
    # 8 October + 30 = Saturday 7 November → Monday 9 November.
    assert tipoff.handling_due == dt.date(2026, 11, 9)
    assert tipoff.extension_days == 30
    event = tipoff.events.get(kind=EventKind.EXTENDED)
    assert event.is_public and event.note == "需委托第三方检测"
    assert event.data == {"days": 30, "old_due": "2026-10-08", "new_due": "2026-11-09"}
    # The reason goes by e-mail; the text (a gateway template) gives the new date only.
    assert any("需委托第三方检测" in m.body for m in mail.outbox)
    assert any(s.params.get("due") == "2026-11-09" for s in MemorySmsSender.outbox)


def test_working_day_counting_can_be_chosen(submit, intake, settings):
    settings.TIPOFFS_DAY_COUNT = "working"
    tipoff = submit(now=at(2026, 8, 3))
    tipoff = workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=at(2026, 8, 3))
    from portal.workdays import add_working_days

    assert tipoff.handling_due == add_working_days(dt.date(2026, 8, 3), 60)


def test_reminder_comes_at_two_thirds_and_escalation_after_the_deadline_once_each(
    submit, intake, handler_a, dept_a, django_capture_on_commit_callbacks
):
    tipoff = submit(now=at(2026, 8, 3))
    workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=at(2026, 8, 3))
    workflow.tipoff_assign(tipoff=tipoff, actor=intake, departments=[dept_a], now=at(2026, 8, 3))
    remind_on = deadlines.reminder_date(dt.date(2026, 8, 3), dt.date(2026, 10, 8))
    assert dt.date(2026, 9, 1) < remind_on < dt.date(2026, 9, 25)

    day_before = remind_on - dt.timedelta(days=1)
    result = workflow.tipoffs_sweep_deadlines(
        today=day_before, now=at(day_before.year, day_before.month, day_before.day)
    )
    assert result.reminded == 0
    with django_capture_on_commit_callbacks(execute=True):
        result = workflow.tipoffs_sweep_deadlines(
            today=remind_on, now=at(remind_on.year, remind_on.month, remind_on.day)
        )
    assert result.reminded == 1
    assert workflow.tipoffs_sweep_deadlines(today=remind_on).reminded == 0  # idempotent
    reminder = Notification.objects.get(event="tipoffs.reminder")
    assert reminder.role == "department" and reminder.recipient_id == handler_a.pk
    assert reminder.state == Notification.State.SENT

    with django_capture_on_commit_callbacks(execute=True):
        late = workflow.tipoffs_sweep_deadlines(today=dt.date(2026, 10, 9), now=at(2026, 10, 9))
    assert late.escalated == 1
    assert workflow.tipoffs_sweep_deadlines(today=dt.date(2026, 10, 12)).escalated == 0
    kinds = list(Tipoff.objects.get(pk=tipoff.pk).events.values_list("kind", flat=True))
    assert kinds.count(EventKind.REMINDER) == 1 and kinds.count(EventKind.ESCALATION) == 1
    subjects = [m.subject for m in mail.outbox]
    assert any("督办" in s or "Escalation" in s for s in subjects)


def test_an_unaccepted_report_is_escalated_to_the_intake_office(submit, intake):
    tipoff = submit(now=at(2026, 9, 30, 16))
    result = workflow.tipoffs_sweep_deadlines(today=dt.date(2026, 10, 12), now=at(2026, 10, 12))
    assert result.escalated == 1
    notice = Notification.objects.get(tipoff=tipoff, event="tipoffs.escalation")
    assert (notice.role, notice.recipient_id) == ("intake", intake.pk)


def test_an_extension_resets_the_reminder_for_the_new_deadline(submit, intake, handler_a, dept_a):
    tipoff = submit(now=at(2026, 8, 3))
    workflow.tipoff_accept(tipoff=tipoff, actor=intake, now=at(2026, 8, 3))
    workflow.tipoff_assign(tipoff=tipoff, actor=intake, departments=[dept_a], now=at(2026, 8, 3))
    workflow.tipoffs_sweep_deadlines(today=dt.date(2026, 9, 28), now=at(2026, 9, 28))
    workflow.tipoff_extend(
        tipoff=tipoff, actor=handler_a, days=30, reason="检测", now=at(2026, 9, 29)
    )
    tipoff.refresh_from_db()
    assert tipoff.reminded_for is None
    result = workflow.tipoffs_sweep_deadlines(today=dt.date(2026, 11, 6), now=at(2026, 11, 6))
    assert result.reminded == 1


def test_resolved_reports_close_after_fifteen_days_without_a_rating(case_in):
    tipoff = case_in(State.RESOLVED, now=at(2026, 9, 1))
    assert (
        workflow.tipoffs_sweep_deadlines(today=dt.date(2026, 9, 15), now=at(2026, 9, 15)).closed
        == 0
    )
    assert (
        workflow.tipoffs_sweep_deadlines(today=dt.date(2026, 9, 17), now=at(2026, 9, 17)).closed
        == 1
    )
    assert Tipoff.objects.get(pk=tipoff.pk).state == State.CLOSED


def test_the_deadline_command_runs(case_in, capsys):
    case_in(State.ASSIGNED)
    call_command("tipoffs_deadlines")
    assert "reminded=" in capsys.readouterr().out


def test_identities_are_purged_years_after_closure_and_the_purge_is_logged_without_data(
    case_in, settings, caplog
):
    settings.TIPOFFS_IDENTITY_RETENTION_YEARS = 3
    old = case_in(State.CLOSED, now=at(2022, 3, 1))
    recent = case_in(State.CLOSED, now=at(2025, 3, 1))
    from portal.tipoffs.retention import purge_reporter_identities

    assert purge_reporter_identities(now=at(2026, 9, 1), dry_run=True) == 1
    assert purge_reporter_identities(now=at(2026, 9, 1)) == 1
    purged = ReporterIdentity.objects.get(tipoff=old)
    assert (purged.name, purged.phone, purged.email) == ("", "", "")
    assert purged.purged_at is not None
    assert ReporterIdentity.objects.get(tipoff=recent).phone == "+8613912345678"
    log = PurgeLog.objects.get()
    assert log.reference == old.reference and log.fields == "name,phone,email"
    assert "13912345678" not in caplog.text
    assert not IdentityAccessLog.objects.exists()
