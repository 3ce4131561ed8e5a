"""Two-factor for staff: which routes may serve non-public data, and whether a session has done the step.

The rule (issue 12): with ``PORTAL_REQUIRE_STAFF_MFA`` on, a user who can open the admin (staff)
gets non-public data only in a session that completed a TOTP step (allauth records it when the
code is entered at sign-in, at re-authentication or at enrolment). Enrolment alone is not enough:
a session signed in before enrolling, or through a path that skipped the step, must still prove it.

Every route of the URL conf is classified here, once, by URL name (``namespace:name``); the
whole Wagtail admin is classified by its path prefix. ``portal.middleware.StaffMfaMiddleware``
enforces the classification and ``tests/portal/test_mfa.py`` walks the URL conf and fails on a
route this module does not classify. A route missing from every list is treated as staff data at
run time (fail closed), so a forgotten route costs staff one more TOTP prompt, never a leak.

How to classify a new route:
- it can show anything that is not public to staff (a case, a reporter, evidence, raw answers, an
  export, a request's attachments): add it to ``STAFF_DATA_ROUTES`` (admin routes already are);
- it shows only public content: ``PUBLIC_ROUTES``;
- it shows the signed-in user only their own data: ``RESIDENT_ROUTES``.
A route that serves both public and non-public objects (a photo that may or may not be approved
for the public) is staff data: staff without the step see no object through it, public or not.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.roles import can_access_admin, requires_second_factor

PUBLIC = "public"
RESIDENT = "resident"
STAFF_DATA = "staff-data"
# Admin routes that serve no data and must work before the second step (sign in and out, the
# password reset for signed-out users, the admin's static translations and icons).
NO_DATA = "no-data"

ADMIN_PATH_PREFIX = "/admin/"

ADMIN_NO_DATA_ROUTES = frozenset(
    {
        "admin_login_redirect",
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_password_reset",
        "wagtailadmin_password_reset_done",
        "wagtailadmin_password_reset_confirm",
        "wagtailadmin_password_reset_complete",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
    }
)

# Outside /admin/: routes that can serve non-public data to staff.
STAFF_DATA_ROUTES = frozenset(
    {
        # Evidence photos: the cleaned copy of a report's photo (originals live under /admin/).
        "tipoffs:photo",
        # Wagtail documents, among them the reply attachments of disclosure requests.
        "wagtaildocs_serve",
        # Enterprise accounts' filing: drafts, tokens (the enterprise discloser role needs TOTP).
        "enterprises:filing_home",
        "enterprises:filing_annual",
        "enterprises:filing_temporary",
        "enterprises:filing_token",
        # A report's documents: public once submitted, a draft's only for its filers and the bureau.
        "enterprises:attachment",
    }
)

PUBLIC_ROUTES = frozenset(
    {
        "healthz",
        "readyz",
        "set_language",
        "wagtail_serve",
        "wagtailcore_authenticate_with_password",
        "wagtailcore_login",
        "wagtaildocs_authenticate_with_password",
        "open311:services",
        "open311:service",
        "open311:requests",
        "open311:request",
        "open311:token",
        "open311:discovery",
        "open311:openapi",
        "open311:not_found",
        "cms:search",
        "cms:column_rss",
        "cms:column_atom",
        "cms:category_rss",
        "cms:category_atom",
        "cms:sitemap",
        "cms:robots",
        "cms:site_map",
        "cms:report_error",
        "disclosure:indicators",
        "disclosure:indicator_detail",
        "disclosure:projects",
        "disclosure:project_detail",
        "disclosure:rate",
        "disclosure:item_versions",
        "disclosure:item_diff",
        "disclosure:request_new",
        "disclosure:request_receipt",
        "disclosure:request_status",
        "disclosure:annual_report_latest",
        "disclosure:annual_report",
        "disclosure:annual_report_xlsx",
        "surveys:survey",
        "surveys:step",
        "surveys:one_page",
        "surveys:resume",
        "surveys:token",
        "surveys:token_link",
        "surveys:done",
        "surveys:stopped",
        "surveys:results",
        "surveys:results_methodology",
        "surveys:results_csv",
        "privacy:notice",
        "privacy:account_deleted",
        "tipoffs:index",
        "tipoffs:new",
        "tipoffs:submitted",
        "tipoffs:follow",
        "tipoffs:track",
        "tipoffs:track_case",
        "tipoffs:cases",
        "tipoffs:nearby",
        "tipoffs:stats",
        "learning:index",
        "learning:try",
        "learning:rewards",
        "learning:leaderboard",
        "enterprises:index",
        "enterprises:detail",
        "enterprises:report",
        "enterprises:report_version",
        "enterprises:monitoring",
        "enterprises:lookup",
        # Token-authenticated machine endpoint (an enterprise's own monitoring data).
        "enterprises_api:monitoring",
        # Sign-in, sign-up and password reset before anyone is signed in.
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_email_verification_sent",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_confirm_login_code",
        "account_confirm_email",
        "mfa_authenticate",
    }
)

RESIDENT_ROUTES = frozenset(
    {
        "me",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_email",
        "account_change_password",
        "account_set_password",
        "account_verify_phone",
        "account_change_phone",
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "learning:daily",
        "learning:topic_start",
        "learning:attempt",
        "learning:redeem",
        "learning:me",
        "learning:redemption",
        "tipoffs:track_mine",
        "disclosure:request_mine",
        "learning:redemption_cancel",
        # 我的数据: the signed-in person's own data only.
        "privacy:my_data",
        "privacy:download",
        "privacy:profile",
        "privacy:withdraw",
        "privacy:delete_account",
    }
)

# Development only (DEBUG): uploaded media served by Django; production's proxy serves it.
UNNAMED_PUBLIC_ROUTES = frozenset({"^media/(?P<path>.*)$"})


def classify(*, view_name: str | None, path: str) -> str | None:
    """The class of a route: its URL name (or, unnamed, its pattern) and its path or pattern.

    ``path`` is a request path (``/admin/pages/``) or a URL-conf pattern with a leading slash.
    Returns None for a route no list mentions.
    """
    if path.startswith(ADMIN_PATH_PREFIX):
        return NO_DATA if view_name in ADMIN_NO_DATA_ROUTES else STAFF_DATA
    if view_name in STAFF_DATA_ROUTES:
        return STAFF_DATA
    if view_name in PUBLIC_ROUTES or path.lstrip("/") in UNNAMED_PUBLIC_ROUTES:
        return PUBLIC
    if view_name in RESIDENT_ROUTES:
        return RESIDENT
    return None


def needs_staff_mfa(*, view_name: str | None, path: str) -> bool:
    """Whether staff need a completed two-factor step here (unclassified routes: yes)."""
    return classify(view_name=view_name, path=path) not in (PUBLIC, RESIDENT, NO_DATA)


def completed_mfa(request: HttpRequest) -> bool:
    """Whether this session's signed-in user entered a second factor (TOTP or a recovery code)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def is_enrolled(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def step_up_redirect(request: HttpRequest) -> HttpResponseRedirect | None:
    """None when the request may go on; else where staff must go first (enrol or enter a code).

    Anonymous users and users without admin access are left to the view (login, 403 or 404 as
    usual): the rule concerns staff and the external roles of ``portal.roles.MFA_ROLES``
    (enterprise disclosers) only.
    """
    user = request.user
    if not requires_second_factor(user):
        return None
    if completed_mfa(request):
        return None
    if not is_enrolled(user):
        messages.warning(
            request,
            _("Staff must set up two-factor authentication before using the administration.")
            if can_access_admin(user)
            else _("Enterprise accounts must set up two-factor authentication before filing."),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
    messages.info(
        request,
        _("Enter the code from your authenticator app to open non-public data."),
    )
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")


def record_enrolment_as_step(sender, request, user, authenticator, **kwargs) -> None:
    """Enrolling TOTP verifies a code from the new authenticator: the session has done the step.

    Connected to allauth's ``authenticator_added`` signal (portal.signals). Without it a newly
    enrolled member of staff would be asked for a second code at once.
    """
    from allauth.account.internal.flows.login import record_authentication

    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    if getattr(request, "user", None) is None or request.user.pk != user.pk:
        return
    record_authentication(
        request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True
    )
