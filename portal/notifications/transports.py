"""Transports: how one notification row leaves the portal, one class per channel.

``register_transport("email", EmailTransport)`` maps a channel to a class whose ``send(notification)``
sends exactly that row (one recipient, one channel) or raises; ``NoAddress`` means the recipient has
no address for the channel any more (an erased identity, an account without e-mail) and the row
is skipped, not retried. ``get_transport`` raises ``UnknownChannel`` for a channel nobody
registered, so a rule with a typo fails when the row is written, not silently later.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from portal.notifications.render import context_for, render, sms_params
from portal.notifications.rules import Contact, resolve_recipient
from portal.sms import send_sms


class UnknownChannel(ImproperlyConfigured):
    """No transport is registered for this channel."""


class NoAddress(Exception):
    """The recipient has no address for this channel (any more): skip, do not retry."""


class Transport:
    channel: str = ""
    contact_field: str = ""

    def address(self, contact: Contact | None) -> str:
        return getattr(contact, self.contact_field, "") if contact is not None else ""

    def address_of(self, notification) -> str:
        contact = resolve_recipient(notification.recipient_kind, notification.recipient_id)
        address = self.address(contact)
        if not address:
            raise NoAddress
        return address

    def send(self, notification) -> None:
        raise NotImplementedError


class EmailTransport(Transport):
    """Django's mail (``EMAIL_*`` settings): ``<key>.subject.txt`` and ``<key>.email.txt``."""

    channel = "email"
    contact_field = "email"

    def send(self, notification) -> None:
        address = self.address_of(notification)
        context = context_for(notification)
        subject = render(notification.template, "subject", context)
        body = render(notification.template, "email", context)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


class SmsTransport(Transport):
    """The SMS gateway (``portal.sms``): a gateway template id and the template's parameters.

    ``PORTAL_SMS_TEMPLATES`` maps the portal's template key to the id the gateway approved
    (Aliyun TemplateCode, Tencent TemplateId); the parameters are the variables of
    ``<key>.sms.txt``.
    """

    channel = "sms"
    contact_field = "phone"

    def send(self, notification) -> None:
        phone = self.address_of(notification)
        params = sms_params(notification.template, context_for(notification))
        send_sms(phone=phone, template_id=sms_template_id(notification.template), params=params)


def sms_template_id(key: str) -> str:
    try:
        return settings.PORTAL_SMS_TEMPLATES[key]
    except KeyError:
        raise ImproperlyConfigured(
            f"PORTAL_SMS_TEMPLATES has no gateway template id for {key!r}."
        ) from None


_transports: dict[str, type[Transport]] = {}


def register_transport(channel: str, transport: type[Transport]) -> None:
    _transports[channel] = transport


def get_transport(channel: str) -> Transport:
    try:
        return _transports[channel]()
    except KeyError:
        raise UnknownChannel(
            f"No notification transport for the channel {channel!r}; known: {sorted(_transports)}."
        ) from None


register_transport("email", EmailTransport)
register_transport("sms", SmsTransport)
