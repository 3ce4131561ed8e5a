"""The outbox: ``notify()`` writes one row per (recipient, channel); a task sends each row.

Rows are written in the caller's transaction (the transition that caused them) and enqueued only
after it commits, one django-tasks task per row: a request never waits for a gateway, and a
failure of one channel is retried for that row alone, so a failed e-mail never resends the text
message. A failed row is retried with back-off (2, 4, 8… minutes) up to
``PORTAL_NOTIFY_MAX_ATTEMPTS`` by re-enqueueing when the task backend can defer, and by
``retry_failed_notifications()`` (run by ``manage.py tipoffs_deadlines``) otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from portal.models import Notification
from portal.notifications.rules import Recipient, resolve_recipient, rules_for
from portal.notifications.transports import NoAddress, get_transport

logger = logging.getLogger(__name__)

_suppressed: ContextVar[bool] = ContextVar("notifications_suppressed", default=False)


def max_attempts() -> int:
    return settings.PORTAL_NOTIFY_MAX_ATTEMPTS


@contextmanager
def suppressed():
    """Write outbox rows but send nothing (demo data, bulk imports)."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def notify(
    event: str,
    about,
    *,
    role: str,
    recipients: Iterable[Recipient],
    context: dict | None = None,
) -> list[int]:
    """Queue ``event``'s notices for the ``role`` holders ``recipients``, about the object ``about``.

    One row per recipient and channel of the event's rules for ``role``; a channel for which the
    recipient has no address gets no row. ``context`` holds ids and plain values only (never an
    address or a name). Returns the new rows' ids.
    """
    rules = rules_for(event, role=role)
    transports = {rule.channel: get_transport(rule.channel) for rule in rules}
    content_type = ContentType.objects.get_for_model(about)
    rows = []
    for recipient in recipients:
        contact = resolve_recipient(recipient.kind, recipient.id)
        for rule in rules:
            if not transports[rule.channel].address(contact):
                continue
            rows.append(
                Notification(
                    event=event,
                    role=role,
                    channel=rule.channel,
                    recipient_kind=recipient.kind,
                    recipient_id=recipient.id,
                    template=rule.template,
                    context=dict(context or {}),
                    content_type=content_type,
                    object_id=about.pk,
                )
            )
    ids = [row.pk for row in Notification.objects.bulk_create(rows)]
    _queue(ids)
    return ids


def _queue(ids: list[int]) -> None:
    if not ids or _suppressed.get():
        return

    def enqueue():
        for pk in ids:
            send_notification.enqueue(pk)

    transaction.on_commit(enqueue)


@task()
def send_notification(notification_id: int) -> str:
    """Send one row (one recipient, one channel); on failure, retry this row only."""
    with transaction.atomic():
        # The lock keeps a retry and a late first attempt from sending the same row twice.
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.state not in (
            Notification.State.QUEUED,
            Notification.State.FAILED,
        ):
            return "nothing to do"
        notification.attempts += 1
        try:
            get_transport(notification.channel).send(notification)
        except NoAddress:
            notification.state = Notification.State.SKIPPED
        except Exception as exc:
            notification.state = Notification.State.FAILED
            # The class name only: a gateway's message may quote the address.
            notification.last_error = type(exc).__name__[:200]
            logger.warning(
                "Notification %s (%s) failed (attempt %s): %s",
                notification.pk,
                notification.channel,
                notification.attempts,
                type(exc).__name__,
            )
        else:
            notification.state = Notification.State.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["state", "attempts", "last_error", "sent_at"])
    if notification.state == Notification.State.FAILED and notification.attempts < max_attempts():
        _retry_later(notification)
    return notification.state


def _retry_later(notification: Notification) -> None:
    backend = send_notification.get_backend()
    if not backend.supports_defer:
        return  # retry_failed_notifications() picks it up
    delay = dt.timedelta(minutes=2**notification.attempts)
    send_notification.using(run_after=timezone.now() + delay).enqueue(notification.pk)


def retry_failed_notifications() -> int:
    """Re-enqueue failed rows that have attempts left (run periodically)."""
    ids = list(
        Notification.objects.filter(
            state=Notification.State.FAILED, attempts__lt=max_attempts()
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        send_notification.enqueue(pk)
    return len(ids)
