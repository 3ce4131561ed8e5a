from csp.middleware import CSPMiddleware
from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from portal import mfa
from portal.roles import can_access_admin


class StaffMfaMiddleware:
    """With PORTAL_REQUIRE_STAFF_MFA on, staff reach non-public data only after a TOTP step.

    Which routes serve non-public data is declared once in ``portal.mfa`` (the whole admin, evidence
    photos, documents); staff without a completed step there are sent to enrol or to enter a code
    (allauth's re-authentication), then back. Anonymous users and residents are left alone.

    Wagtail's own login form is not used (it would bypass allauth's two-factor step):
    /admin/login/ redirects to the allauth login, see portal.urls.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.PORTAL_REQUIRE_STAFF_MFA:
            return None
        match = request.resolver_match
        if not mfa.needs_staff_mfa(
            view_name=match.view_name if match else None, path=request.path_info
        ):
            return None
        return mfa.step_up_redirect(request)


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the looser admin policy under /admin/ (see settings).

    A view's own csp decorators still win; everywhere else the public policy applies.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and parts.replace is None
            and request.path_info.startswith(mfa.ADMIN_PATH_PREFIX)
        ):
            parts.replace = settings.PORTAL_CSP_ADMIN_DIRECTIVES
        return parts


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy from PORTAL_PERMISSIONS_POLICY (feature -> allow list)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}={allow}" for feature, allow in settings.PORTAL_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


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
            request.path_info.startswith(mfa.ADMIN_PATH_PREFIX)
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
