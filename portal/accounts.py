"""allauth adapter: phone numbers stored on the user, codes sent through portal.sms, the client
address from portal.client."""

from __future__ import annotations

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.account.models import EmailAddress
from allauth.account.stages import PhoneVerificationStage
from allauth.core.exceptions import ImmediateHttpResponse, RateLimited
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.client import client_ip
from portal.notifications.render import sms_params
from portal.notifications.transports import sms_template_id
from portal.phones import e164_or_original, normalize_phone
from portal.sms import send_sms

logger = logging.getLogger(__name__)

_ALLAUTH_PHONE_STAGE = "allauth.account.stages.PhoneVerificationStage"


class PortalPhoneVerificationStage(PhoneVerificationStage):
    """allauth's phone stage, which sends the SMS code right after sign-up or sign-in.

    When the SMS rate limit (ACCOUNT_RATE_LIMITS["verify_phone"]) trips there, allauth raises
    RateLimited out of the sign-up view: a 500, and the account just created stays behind with
    an unverified phone and email address. Here the half-made account is removed (only one
    that has never signed in and has nothing verified) and the visitor gets the 429 page with
    an explanation and a link back to the form.
    """

    def handle(self):
        try:
            return super().handle()
        except RateLimited:
            signup = bool(self.login.signup)
            if signup:
                _discard_unfinished_signup(self.login.user)
            clear_login(self.request)
            raise ImmediateHttpResponse(
                render(
                    self.request,
                    "429.html",
                    {
                        "explanation": _(
                            "Too many verification codes have been sent to this phone number "
                            "or from your connection. Nothing has been saved. Please wait a "
                            "minute and try again."
                        ),
                        "retry_url": reverse("account_signup" if signup else "account_login"),
                        "retry_label": _("Back to sign up") if signup else _("Back to sign in"),
                    },
                    status=429,
                )
            ) from None


def _discard_unfinished_signup(user) -> None:
    if user is None or user.pk is None or user.last_login is not None or user.phone_verified:
        return
    if EmailAddress.objects.filter(user=user, verified=True).exists():
        return
    with transaction.atomic():
        EmailAddress.objects.filter(user=user).delete()
        user.delete()
    logger.info("Sign-up abandoned: the SMS code could not be sent (rate limit)")


class PortalAccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return [
            "portal.accounts.PortalPhoneVerificationStage" if path == _ALLAUTH_PHONE_STAGE else path
            for path in super().get_login_stages()
        ]

    def get_client_ip(self, request) -> str:
        """allauth's rate limits and session records use the portal's one client address."""
        return client_ip(request)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        # Sent at once, not through the outbox: the user is waiting, and a code is never stored.
        send_sms(
            phone=phone,
            template_id=sms_template_id("account_verification_code"),
            params=sms_params("account_verification_code", {"code": code}),
        )

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        send_sms(
            phone=phone,
            template_id=sms_template_id("account_unknown_number"),
            params=sms_params("account_unknown_number", {}),
        )

    def phone_form_field(self, **kwargs):
        """allauth's phone field, reading numbers as residents write them (13812345678,
        138 1234 5678, +86…) into the one stored form, E.164."""
        from allauth.account.fields import PhoneField

        class PortalPhoneField(PhoneField):
            def to_python(self, value):
                value = super().to_python(value)
                return e164_or_original(value) if value else value

        return PortalPhoneField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        # A mobile number: sign-in codes go by SMS.
        return normalize_phone(phone, mobile=True)

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = e164_or_original(phone) if phone else None
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user) -> tuple[str, bool] | None:
        if user.phone:
            return user.phone, user.phone_verified
        return None

    def set_phone_verified(self, user, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str):
        phone = e164_or_original(phone)
        return get_user_model().objects.filter(phone=phone).order_by("pk").first()
