from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
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


class AdminAccessDeniedMiddleware:
    """A signed-in user without admin access gets a 403 page on /admin/, not a redirect loop.

    Wagtail sends such a user to the login URL, which is the allauth login (see portal.urls);
    allauth sends a signed-in user straight back to ``next``, i.e. /admin/ again. Anonymous
    visitors still get Wagtail's redirect to sign in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.path.startswith(_ADMIN_PREFIX)
            and request.user.is_authenticated
            and not can_access_admin(request.user)
        ):
            response = render(
                request,
                "403.html",
                {
                    "explanation": _(
                        "You are signed in, but your account does not have access to the "
                        "administration. It is only for staff of the participating departments; "
                        "if you need it, ask the site administrator to give your account a role."
                    )
                },
                status=403,
            )
            add_never_cache_headers(response)
            return response
        return self.get_response(request)
