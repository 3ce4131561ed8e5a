"""Text messages behind one small interface: a gateway template id and its parameters.

Mainland SMS gateways send only texts registered with them in advance: the sender names a
template id (Aliyun ``TemplateCode`` with the account's ``SignName``, Tencent Cloud
``TemplateId`` with its ``SmsSdkAppId`` and signature) and the values of the template's variables
(Aliyun ``TemplateParam`` as a JSON object, Tencent ``TemplateParamSet`` as a list in order).
``PORTAL_SMS_TEMPLATES`` maps the portal's template keys to those ids; the parameters are the
variables of ``templates/notifications/<key>.sms.txt``, in order of first appearance, so a
``dict`` gives Aliyun its object and ``list(params.values())`` gives Tencent its list.

A deployment sets ``PORTAL_SMS_SENDER`` to the dotted path of a class with a
``send(phone, template_id, params)`` method that calls its gateway. The console sender logs
instead (development only: settings refuse it with DEBUG off), the memory sender keeps an outbox
for tests, and the disabled sender is for a deployment without an SMS gateway: it sends nothing
and logs only that it did not.
"""

from __future__ import annotations

import logging
from typing import NamedTuple, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from portal.logredact import redact

logger = logging.getLogger(__name__)


class SmsSender(Protocol):
    def send(self, phone: str, template_id: str, params: dict[str, str]) -> None: ...


class SentSms(NamedTuple):
    phone: str
    template_id: str
    params: dict[str, str]


class ConsoleSmsSender:
    """Development sender: writes the template id and parameters to the log (never in production)."""

    def send(self, phone: str, template_id: str, params: dict[str, str]) -> None:
        # Masked: a reporter's phone number must never reach the application log, nor the
        # tracking code a notice carries (verification codes stay readable for development).
        logger.info("SMS to %s: %s %s", mask_phone(phone), template_id, redact(str(params)))


class DisabledSmsSender:
    """For a deployment without an SMS gateway (and `check --deploy` in CI): sends nothing.

    Notices still go out by e-mail; the log says that a text was dropped, never to whom or what.
    Phone sign-in needs a real gateway: its codes are dropped too.
    """

    def send(self, phone: str, template_id: str, params: dict[str, str]) -> None:
        logger.warning("SMS not sent: no SMS gateway is configured (PORTAL_SMS_SENDER).")


class MemorySmsSender:
    """Test sender: appends ``SentSms(phone, template_id, params)`` to the class-level outbox."""

    outbox: list[SentSms] = []

    def send(self, phone: str, template_id: str, params: dict[str, str]) -> None:
        self.outbox.append(SentSms(phone, template_id, dict(params)))


def mask_phone(phone: str) -> str:
    """+8613812345678 → +86****5678: enough to tell messages apart, not to identify anyone."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) > 7 else "****"


def send_sms(*, phone: str, template_id: str, params: dict[str, str]) -> None:
    sender: SmsSender = import_string(settings.PORTAL_SMS_SENDER)()
    sender.send(phone, template_id, params)
