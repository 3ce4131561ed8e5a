"""Text messages behind one small interface.

A deployment sets PORTAL_SMS_SENDER to the dotted path of a class with a ``send(phone, message)``
method that talks to its SMS gateway (Aliyun, Tencent Cloud, an operator's platform...). The
console sender logs instead (development only: settings refuse it with DEBUG off), the memory
sender keeps an outbox for tests, and the disabled sender is for a deployment without an SMS
gateway: it sends nothing and logs only that it did not.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from portal.logredact import redact

logger = logging.getLogger(__name__)


class SmsSender(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleSmsSender:
    """Development sender: writes the message to the log (never use in production)."""

    def send(self, phone: str, message: str) -> None:
        # Masked: a reporter's phone number must never reach the application log, nor the
        # tracking code a notice carries (verification codes stay readable for development).
        logger.info("SMS to %s: %s", mask_phone(phone), redact(message))


class DisabledSmsSender:
    """For a deployment without an SMS gateway (and `check --deploy` in CI): sends nothing.

    Notices still go out by e-mail; the log says that a text was dropped, never to whom or what.
    Phone sign-in needs a real gateway: its codes are dropped too.
    """

    def send(self, phone: str, message: str) -> None:
        logger.warning("SMS not sent: no SMS gateway is configured (PORTAL_SMS_SENDER).")


class MemorySmsSender:
    """Test sender: appends (phone, message) to the class-level outbox."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


def mask_phone(phone: str) -> str:
    """+8613812345678 → +86****5678: enough to tell messages apart, not to identify anyone."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) > 7 else "****"


def send_sms(*, phone: str, message: str) -> None:
    sender: SmsSender = import_string(settings.PORTAL_SMS_SENDER)()
    sender.send(phone, message)
