"""allauth adapter: phone numbers stored on the user, codes sent through portal.sms, the client
address from portal.client."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from portal.client import client_ip
from portal.sms import send_sms


class PortalAccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's rate limits and session records use the portal's one client address."""
        return client_ip(request)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        send_sms(
            phone=phone,
            message=_("Your verification code is %(code)s. Do not share it with anyone.")
            % {"code": code},
        )

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        send_sms(
            phone=phone,
            message=_("Someone tried to sign in with this number, but it has no account."),
        )

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone or None
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user) -> tuple[str, bool] | None:
        if user.phone:
            return user.phone, user.phone_verified
        return None

    def set_phone_verified(self, user, phone: str) -> None:
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str):
        return get_user_model().objects.filter(phone=phone).order_by("pk").first()
