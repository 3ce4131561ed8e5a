from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.roles import can_access_admin

_ADMIN_PREFIX = "/admin/"


class StaffMfaMiddleware:
    """With PORTAL_REQUIRE_STAFF_MFA on, staff who can open the Wagtail admin must enrol TOTP first.

    Wagtail's own login form is not used (it would bypass allauth's two-factor step):
    /admin/login/ redirects to the allauth login, see portal.urls.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.PORTAL_REQUIRE_STAFF_MFA
            and request.path.startswith(_ADMIN_PREFIX)
            and request.user.is_authenticated
            and can_access_admin(request.user)
            and not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                _("Staff must set up two-factor authentication before using the administration."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
