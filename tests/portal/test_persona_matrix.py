"""The persona matrix: every route of the URL conf, requested as every persona (issue 12, part 10).

``ROUTES`` is the table: for each route (its URL name), who may reach it and how to build its URL
from the shared data. ``ADMIN_RULES`` classify the Wagtail admin's own routes by prefix: anonymous
users and residents are refused on every one of them (requested with placeholder arguments, since
the admin's access check comes before any lookup), and the project's admin screens are in
``ROUTES`` with their roles. A route in the URL conf that neither table covers fails
``test_every_route_is_in_the_matrix`` with its name.

Outcomes: *allowed* is any answer but a refusal; *refused* is 403, 404, a redirect to a sign-in
page, or (Wagtail's way) a redirect to the admin dashboard from another admin page.

To classify a new route: add it to ``ROUTES`` with the personas allowed and a URL builder (an
object the allowed personas may see); for a new Wagtail admin screen outside the project's
admin prefixes, nothing is needed unless it shows project data (then give it a ``ROUTES`` entry).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.factories import (
    ENTERPRISE_CODE,
    OTHER_ENTERPRISE_CODE,
    PERSONA_NAMES,
    STAFF_PERSONAS,
    create_personas,
)
from tests.portal.test_mfa import walk_urlconf

ALL = frozenset(PERSONA_NAMES)
SIGNED_IN = ALL - {"anonymous"}
STAFF = frozenset(STAFF_PERSONAS)
NOBODY = frozenset()


def _except(*names):
    return ALL - set(names)


@dataclass(frozen=True)
class Route:
    allowed: frozenset
    url: Callable  # world -> URL (str)
    method: str = "get"
    note: str = ""


def _token(enterprise):
    from enterprises.models import ApiToken

    token, _created = ApiToken.objects.get_or_create(
        enterprise=enterprise,
        label="matrix",
        defaults={"prefix": "ent_mtrx", "token_hash": "0" * 64},
    )
    return token


def rev(route_name, /, **kwargs):
    return lambda w: reverse(
        route_name, kwargs={k: (v(w) if callable(v) else v) for k, v in kwargs.items()}
    )


# --- The shared data ------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    survey: object
    release: object
    release_file: object
    export_job: object
    tipoff: object  # assigned to handler_a's department only, not public
    photo: object  # a photo of that case, not approved for the public
    public_tipoff: object
    disclosure_request: object
    item_version: object
    document: object
    topic: object
    reward: object
    attempt: object  # the resident's
    redemption: object  # the resident's
    category_slug: str
    annual_year: int
    enterprise: object  # the enterprise persona's own
    other_enterprise: object
    public_enterprise: object  # a demo enterprise with a corrected report and monitoring data


def _seed_demo() -> None:
    """The demo data of every app (as ``seed_demo``), with a small survey sample for speed."""
    import cms.demo
    import disclosure.demo
    import enterprises.demo
    import portal.learning.demo
    import portal.tipoffs.demo
    import surveys.demo
    from portal import demo

    demo.seed()
    portal.tipoffs.demo.seed()
    cms.demo.seed()
    disclosure.demo.seed(item_limit=3)
    survey = surveys.demo.ensure_survey()
    surveys.demo.ensure_responses(survey, n=surveys.demo.MIN_RESPONSES_FOR_RELEASE)
    surveys.demo.ensure_pages(survey)
    surveys.demo.ensure_margins(survey)
    surveys.demo.ensure_release(survey)
    portal.learning.demo.seed()
    enterprises.demo.seed()
    demo.order_sections()


def build_world() -> World:
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from cms.models import ColumnCategory
    from disclosure.models import AnnualReportInputs, DisclosureItemVersion, DisclosureRequest
    from enterprises.demo import CORRECTED, credit_code
    from enterprises.models import Enterprise
    from portal.learning.models import QuizAttempt, Redemption, Reward, Topic
    from portal.models import DepartmentMembership
    from portal.tipoffs.models import State, Tipoff, TipoffAssignment, TipoffPhoto
    from surveys.models import ExportJob, ReleaseFile, Survey, SurveyRelease

    _seed_demo()
    users = create_personas()
    # A case with a photo, assigned to some department (handler_a's), made non-public.
    tipoff = (
        Tipoff.objects.filter(photos__isnull=False, assignments__isnull=False)
        .distinct()
        .order_by("pk")
        .first()
    )
    Tipoff.objects.filter(pk=tipoff.pk).update(is_public=False)
    department_ids = set(
        TipoffAssignment.objects.filter(tipoff=tipoff).values_list("department_id", flat=True)
    )
    for name in ("handler_a", "handler_b"):
        DepartmentMembership.objects.filter(user=users[name]).delete()
    DepartmentMembership.objects.create(user=users["handler_a"], department_id=min(department_ids))
    other = (
        TipoffAssignment.objects.exclude(department_id__in=department_ids)
        .values_list("department_id", flat=True)
        .first()
    )
    DepartmentMembership.objects.create(user=users["handler_b"], department_id=other)
    photo = TipoffPhoto.objects.filter(tipoff=tipoff).first()
    TipoffPhoto.objects.filter(pk=photo.pk).update(public_approved=False)
    public_tipoff = Tipoff.objects.filter(
        is_public=True, state__in=[State.RESOLVED, State.CLOSED]
    ).first()
    survey = Survey.objects.get(slug="eco-2025")
    release = SurveyRelease.objects.filter(survey=survey).order_by("version").first()
    export_job = ExportJob.objects.create(
        survey=survey,
        kind=ExportJob.Kind.choices[0][0],
        requested_by=users["analyst"],
        status=ExportJob.Status.DONE,
        filename="export.csv",
        content_type="text/csv",
        file=ContentFile(b"a,b\n1,2\n", name="export.csv"),
        size=8,
    )
    document = Document.objects.create(
        title="公开附件", file=ContentFile(b"%PDF-1.4 demo", name="public.pdf")
    )
    resident = users["resident"]
    topic = Topic.objects.first()
    reward = Reward.objects.first()
    attempt = QuizAttempt.objects.filter(user=resident).first()
    redemption = Redemption.objects.order_by("pk").first()
    Redemption.objects.filter(pk=redemption.pk).update(user=resident)  # the resident's own
    return World(
        users=users,
        survey=survey,
        release=release,
        release_file=ReleaseFile.objects.filter(release=release).first(),
        export_job=export_job,
        tipoff=tipoff,
        photo=photo,
        public_tipoff=public_tipoff,
        disclosure_request=DisclosureRequest.objects.first(),
        item_version=DisclosureItemVersion.objects.first(),
        document=document,
        topic=topic,
        reward=reward,
        attempt=attempt,
        redemption=redemption,
        category_slug=ColumnCategory.objects.values_list("slug", flat=True).first(),
        annual_year=AnnualReportInputs.objects.values_list("year", flat=True).first()
        or dt.date.today().year - 1,
        enterprise=Enterprise.objects.get(credit_code=ENTERPRISE_CODE),
        other_enterprise=Enterprise.objects.get(credit_code=OTHER_ENTERPRISE_CODE),
        public_enterprise=Enterprise.objects.get(credit_code=credit_code(CORRECTED)),
    )


# Marked as database tests so that pytest-django runs them with the other database tests, before
# the transactional ones: a transactional test's flush empties the tables, Wagtail's root page
# included, and this module builds its world from the migrated database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- Outcomes -------------------------------------------------------------------------------

SIGN_IN_PATHS = ("/accounts/login/", "/admin/login/", "/en/accounts/login/")


def refused(response, url: str) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target in SIGN_IN_PATHS:
            return True
        if target == "/admin/" and urlsplit(url).path != "/admin/":
            return True  # Wagtail's "no permission" redirect to the dashboard
    return False


def request_as(client: Client, world: World, persona: str, url: str, method: str = "get"):
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url)


# --- The table ------------------------------------------------------------------------------
# h2: entries marked H2 follow the rule that superuser status alone grants no identity,
# evidence, intake, handler, analyst or disclosure-officer action (portal.roles.has_role and the
# selectors stop treating superusers as every role). Until h2's change is merged they are
# expected failures (strict: once h2 lands they pass, and the marker must be removed).
H2 = "h2: superuser status alone must not grant this role's access"

TIPOFF_QUEUE = frozenset({"intake", "handler_a", "handler_b", "administrator"})
TIPOFF_CASE = frozenset({"intake", "handler_a", "administrator"})
ANALYSTS = frozenset({"analyst", "administrator"})
OFFICERS = frozenset({"disclosure_officer", "administrator"})
ENTERPRISE_FILERS = frozenset({"enterprise"})
PUBLIC_CODE = lambda w: w.public_enterprise.credit_code  # noqa: E731
OWN_ENTERPRISE = lambda w: w.enterprise.pk  # noqa: E731
PUBLIC_ATTACHMENT = lambda w: w.public_enterprise.attachments.first().pk  # noqa: E731
OWN_TOKEN = lambda w: _token(w.enterprise).pk  # noqa: E731
OWN_ACCOUNT = lambda w: w.enterprise.accounts.get(user=w.users["enterprise"]).pk  # noqa: E731
SURVEY = lambda w: w.survey.slug  # noqa: E731
SURVEY_PK = lambda w: w.survey.pk  # noqa: E731

ROUTES: dict[str, Route] = {
    # The shell
    "healthz": Route(ALL, rev("healthz")),
    "readyz": Route(ALL, rev("readyz")),
    "set_language": Route(ALL, rev("set_language")),
    "wagtail_serve": Route(ALL, lambda w: "/"),
    "wagtailcore_login": Route(ALL, rev("wagtailcore_login")),
    "wagtailcore_authenticate_with_password": Route(
        NOBODY,
        rev("wagtailcore_authenticate_with_password", page_view_restriction_id=999999, page_id=1),
    ),
    "wagtaildocs_serve": Route(ALL, lambda w: w.document.url),
    "wagtaildocs_authenticate_with_password": Route(
        NOBODY, rev("wagtaildocs_authenticate_with_password", restriction_id=999999)
    ),
    "^media/(?P<path>.*)$": Route(NOBODY, lambda w: "/media/no-such-file.jpg", note="DEBUG only"),
    # Open311
    "open311:services": Route(ALL, rev("open311:services", fmt="json")),
    "open311:service": Route(
        ALL, rev("open311:service", code=lambda w: w.tipoff.category.code, fmt="json")
    ),
    "open311:requests": Route(ALL, rev("open311:requests", fmt="json")),
    "open311:request": Route(
        ALL, rev("open311:request", pk=lambda w: w.public_tipoff.pk, fmt="json")
    ),
    "open311:token": Route(
        NOBODY, rev("open311:token", token="00000000-0000-0000-0000-000000000000", fmt="json")
    ),
    "open311:discovery": Route(ALL, rev("open311:discovery", fmt="json")),
    "open311:openapi": Route(ALL, rev("open311:openapi")),
    "open311:not_found": Route(NOBODY, rev("open311:not_found", rest="v2/requests.csv")),
    # cms
    "cms:search": Route(ALL, lambda w: reverse("cms:search") + "?q=%E7%8E%AF%E5%A2%83"),
    "cms:column_rss": Route(ALL, rev("cms:column_rss")),
    "cms:column_atom": Route(ALL, rev("cms:column_atom")),
    "cms:category_rss": Route(
        ALL, rev("cms:category_rss", category_slug=lambda w: w.category_slug)
    ),
    "cms:category_atom": Route(
        ALL, rev("cms:category_atom", category_slug=lambda w: w.category_slug)
    ),
    "cms:sitemap": Route(ALL, rev("cms:sitemap")),
    "cms:robots": Route(ALL, rev("cms:robots")),
    "cms:site_map": Route(ALL, rev("cms:site_map")),
    "cms:report_error": Route(ALL, rev("cms:report_error")),
    # disclosure
    "disclosure:indicators": Route(ALL, rev("disclosure:indicators")),
    "disclosure:indicator_detail": Route(ALL, rev("disclosure:indicator_detail", number=1)),
    "disclosure:projects": Route(ALL, rev("disclosure:projects")),
    "disclosure:project_detail": Route(ALL, rev("disclosure:project_detail", number=1)),
    "disclosure:rate": Route(ALL, rev("disclosure:rate")),
    "disclosure:item_versions": Route(
        ALL, rev("disclosure:item_versions", pk=lambda w: w.item_version.item_id)
    ),
    "disclosure:item_diff": Route(
        ALL, rev("disclosure:item_diff", pk=lambda w: w.item_version.item_id)
    ),
    "disclosure:request_new": Route(ALL, rev("disclosure:request_new")),
    "disclosure:request_receipt": Route(ALL, rev("disclosure:request_receipt")),
    "disclosure:request_status": Route(ALL, rev("disclosure:request_status")),
    "disclosure:request_mine": Route(
        NOBODY,
        rev("disclosure:request_mine", pk=lambda w: w.disclosure_request.pk),
        note="only the account the request was filed from",
    ),
    "disclosure:annual_report_latest": Route(ALL, rev("disclosure:annual_report_latest")),
    "disclosure:annual_report": Route(
        ALL, rev("disclosure:annual_report", year=lambda w: w.annual_year)
    ),
    "disclosure:annual_report_xlsx": Route(
        ALL, rev("disclosure:annual_report_xlsx", year=lambda w: w.annual_year)
    ),
    # surveys (public side)
    "surveys:survey": Route(ALL, rev("surveys:survey", slug=SURVEY)),
    # The demo survey asks respondents to sign in (one response per account).
    "surveys:step": Route(SIGNED_IN, rev("surveys:step", slug=SURVEY, step=1)),
    "surveys:one_page": Route(SIGNED_IN, rev("surveys:one_page", slug=SURVEY)),
    "surveys:resume": Route(SIGNED_IN, rev("surveys:resume", slug=SURVEY)),
    "surveys:token": Route(ALL, rev("surveys:token", slug=SURVEY)),
    "surveys:token_link": Route(ALL, rev("surveys:token_link", slug=SURVEY, code="NO-SUCH-CODE")),
    "surveys:done": Route(ALL, rev("surveys:done", slug=SURVEY)),
    "surveys:stopped": Route(ALL, rev("surveys:stopped", slug=SURVEY)),
    "surveys:results": Route(ALL, rev("surveys:results", slug=SURVEY)),
    "surveys:results_methodology": Route(
        ALL, rev("surveys:results_methodology", slug=SURVEY, version=lambda w: w.release.version)
    ),
    "surveys:results_csv": Route(
        ALL, rev("surveys:results_csv", slug=SURVEY, version=lambda w: w.release.version)
    ),
    # tip-offs (public side); the submitter's pages belong to the submitting browser session
    "tipoffs:index": Route(ALL, rev("tipoffs:index")),
    "tipoffs:new": Route(ALL, rev("tipoffs:new")),
    "tipoffs:submitted": Route(NOBODY, rev("tipoffs:submitted", pk=lambda w: w.tipoff.pk)),
    "tipoffs:follow": Route(NOBODY, rev("tipoffs:follow", pk=lambda w: w.tipoff.pk), "post"),
    "tipoffs:track": Route(ALL, rev("tipoffs:track")),
    "tipoffs:track_case": Route(NOBODY, rev("tipoffs:track_case", pk=lambda w: w.tipoff.pk)),
    "tipoffs:track_mine": Route(
        NOBODY,
        rev("tipoffs:track_mine", pk=lambda w: w.tipoff.pk),
        note="only the signed-in reporter who filed it under their name",
    ),
    "tipoffs:cases": Route(ALL, rev("tipoffs:cases")),
    "tipoffs:nearby": Route(
        ALL,
        lambda w: (
            reverse("tipoffs:nearby")
            + f"?category={w.tipoff.category_id}&subdistrict={w.tipoff.subdistrict_id}"
        ),
    ),
    "tipoffs:stats": Route(ALL, rev("tipoffs:stats")),
    "tipoffs:photo": Route(TIPOFF_CASE, rev("tipoffs:photo", pk=lambda w: w.photo.pk)),
    # learning
    "learning:index": Route(ALL, rev("learning:index")),
    "learning:daily": Route(
        ALL, rev("learning:daily"), note="anonymous visitors are sent to the try-out quiz"
    ),
    "learning:topic_start": Route(
        ALL,
        rev("learning:topic_start", slug=lambda w: w.topic.slug),
        "post",
        note="anonymous visitors are sent to the try-out quiz",
    ),
    "learning:attempt": Route({"resident"}, rev("learning:attempt", pk=lambda w: w.attempt.pk)),
    "learning:try": Route(ALL, rev("learning:try")),
    "learning:rewards": Route(ALL, rev("learning:rewards")),
    "learning:redeem": Route(SIGNED_IN, rev("learning:redeem", pk=lambda w: w.reward.pk), "post"),
    "learning:me": Route(SIGNED_IN, rev("learning:me")),
    "learning:redemption": Route(
        {"resident"}, rev("learning:redemption", pk=lambda w: w.redemption.pk)
    ),
    "learning:redemption_cancel": Route(
        {"resident"}, rev("learning:redemption_cancel", pk=lambda w: w.redemption.pk)
    ),
    "learning:leaderboard": Route(ALL, rev("learning:leaderboard")),
    # enterprise disclosure: public pages, enterprise accounts' filing (scoped), monitoring API
    "enterprises:index": Route(ALL, rev("enterprises:index")),
    "enterprises:detail": Route(ALL, rev("enterprises:detail", code=PUBLIC_CODE)),
    "enterprises:report": Route(ALL, rev("enterprises:report", code=PUBLIC_CODE, year=2024)),
    "enterprises:report_version": Route(
        ALL, rev("enterprises:report_version", code=PUBLIC_CODE, year=2024, number=1)
    ),
    "enterprises:monitoring": Route(ALL, rev("enterprises:monitoring", code=PUBLIC_CODE)),
    "enterprises:attachment": Route(ALL, rev("enterprises:attachment", pk=PUBLIC_ATTACHMENT)),
    "enterprises:lookup": Route(
        ALL,
        lambda w: reverse("enterprises:lookup") + "?q=%E9%92%A2%E9%93%81",  # 钢铁
        note="the tip-off form's look-up of the public enterprise list (JSON)",
    ),
    "enterprises:filing_home": Route(ENTERPRISE_FILERS, rev("enterprises:filing_home")),
    "enterprises:filing_annual": Route(
        ENTERPRISE_FILERS, rev("enterprises:filing_annual", pk=OWN_ENTERPRISE, year=2025)
    ),
    "enterprises:filing_temporary": Route(
        ENTERPRISE_FILERS, rev("enterprises:filing_temporary", pk=OWN_ENTERPRISE)
    ),
    "enterprises:filing_token": Route(
        ENTERPRISE_FILERS, rev("enterprises:filing_token", pk=OWN_ENTERPRISE), "post"
    ),
    "enterprises_api:monitoring": Route(
        ALL,
        rev("enterprises_api:monitoring"),
        note="token-authenticated: a session grants nothing, every persona gets 401 JSON "
        "(tests/enterprises/test_api.py)",
    ),
    # accounts (allauth) and the user's own page
    "me": Route(SIGNED_IN, rev("me")),
    # 我的数据 and the privacy notices
    "privacy:my_data": Route(SIGNED_IN, rev("privacy:my_data")),
    "privacy:download": Route(SIGNED_IN, rev("privacy:download")),
    "privacy:profile": Route(SIGNED_IN, rev("privacy:profile")),
    "privacy:withdraw": Route(
        SIGNED_IN, rev("privacy:withdraw", point="learning"), "post", note="nothing to withdraw"
    ),
    "privacy:delete_account": Route(SIGNED_IN, rev("privacy:delete_account")),
    "privacy:account_deleted": Route(ALL, rev("privacy:account_deleted")),
    "privacy:notice": Route(ALL, rev("privacy:notice", point="signup")),
    "account_login": Route(ALL, rev("account_login")),
    "account_logout": Route(ALL, rev("account_logout")),
    "account_inactive": Route(ALL, rev("account_inactive")),
    "account_signup": Route(ALL, rev("account_signup")),
    "account_reauthenticate": Route(SIGNED_IN, rev("account_reauthenticate")),
    "account_request_reauthentication_code": Route(
        SIGNED_IN, rev("account_request_reauthentication_code")
    ),
    "account_confirm_reauthentication_code": Route(
        SIGNED_IN, rev("account_confirm_reauthentication_code")
    ),
    "account_email": Route(SIGNED_IN, rev("account_email")),
    "account_email_verification_sent": Route(ALL, rev("account_email_verification_sent")),
    "account_change_password": Route(SIGNED_IN, rev("account_change_password")),
    "account_set_password": Route(SIGNED_IN, rev("account_set_password")),
    "account_reset_password": Route(ALL, rev("account_reset_password")),
    "account_confirm_login_code": Route(
        SIGNED_IN,
        rev("account_confirm_login_code"),
        note="anonymous: the sign-in page unless signing in by code; signed in: home",
    ),
    "account_confirm_email": Route(ALL, rev("account_confirm_email", key="no-such-key")),
    "account_verify_phone": Route(SIGNED_IN, rev("account_verify_phone")),
    "account_change_phone": Route(SIGNED_IN, rev("account_change_phone")),
    "account_reset_password_from_key_done": Route(ALL, rev("account_reset_password_from_key_done")),
    "account_reset_password_from_key": Route(
        ALL, rev("account_reset_password_from_key", uidb36="1", key="no-such-key")
    ),
    "account_reset_password_done": Route(ALL, rev("account_reset_password_done")),
    "mfa_index": Route(SIGNED_IN, rev("mfa_index")),
    "mfa_authenticate": Route(
        SIGNED_IN, rev("mfa_authenticate"), note="the sign-in's code step; signed-in users go home"
    ),
    "mfa_reauthenticate": Route(SIGNED_IN, rev("mfa_reauthenticate")),
    "mfa_activate_totp": Route(SIGNED_IN, rev("mfa_activate_totp")),
    "mfa_deactivate_totp": Route(
        NOBODY, rev("mfa_deactivate_totp"), note="404 without an authenticator"
    ),
    "mfa_view_recovery_codes": Route(
        NOBODY, rev("mfa_view_recovery_codes"), note="404 without an authenticator"
    ),
    "mfa_generate_recovery_codes": Route(SIGNED_IN, rev("mfa_generate_recovery_codes")),
    "mfa_download_recovery_codes": Route(
        NOBODY, rev("mfa_download_recovery_codes"), note="404 without an authenticator"
    ),
    # The admin: its entry and sign-in pages
    "wagtailadmin_home": Route(STAFF, rev("wagtailadmin_home")),
    "admin_login_redirect": Route(
        NOBODY, rev("admin_login_redirect"), note="always the allauth sign-in page"
    ),
    # Tip-off case work
    "tipoffs_admin:index": Route(TIPOFF_QUEUE, rev("tipoffs_admin:index")),
    "tipoffs_admin:index_results": Route(TIPOFF_QUEUE, rev("tipoffs_admin:index_results")),
    "tipoffs_admin:rewards": Route({"intake"}, rev("tipoffs_admin:rewards")),
    "tipoffs_admin:case": Route(TIPOFF_CASE, rev("tipoffs_admin:case", pk=lambda w: w.tipoff.pk)),
    "tipoffs_admin:original_photo": Route(
        frozenset({"intake"}), rev("tipoffs_admin:original_photo", pk=lambda w: w.photo.pk)
    ),
    # Survey fieldwork, analysis, releases and exports
    "surveys_admin:index": Route(ANALYSTS, rev("surveys_admin:index")),
    "surveys_admin:index_results": Route(ANALYSTS, rev("surveys_admin:index_results")),
    "surveys_admin:fieldwork": Route(ANALYSTS, rev("surveys_admin:fieldwork", pk=SURVEY_PK)),
    "surveys_admin:tokens": Route(ANALYSTS, rev("surveys_admin:tokens", pk=SURVEY_PK)),
    "surveys_admin:import": Route(ANALYSTS, rev("surveys_admin:import", pk=SURVEY_PK)),
    "surveys_admin:template": Route(
        ANALYSTS, rev("surveys_admin:template", pk=SURVEY_PK, fmt="csv")
    ),
    "surveys_admin:review": Route(
        ANALYSTS,
        rev(
            "surveys_admin:review",
            pk=SURVEY_PK,
            response_id=lambda w: w.survey.responses.values_list("pk", flat=True).first(),
        ),
        "post",
    ),
    "surveys_admin:margins": Route(ANALYSTS, rev("surveys_admin:margins", pk=SURVEY_PK)),
    "surveys_admin:releases": Route(ANALYSTS, rev("surveys_admin:releases", pk=SURVEY_PK)),
    "surveys_admin:releases_results": Route(
        ANALYSTS, rev("surveys_admin:releases_results", pk=SURVEY_PK)
    ),
    "surveys_admin:release_publish": Route(
        ANALYSTS, rev("surveys_admin:release_publish", pk=SURVEY_PK)
    ),
    "surveys_admin:release": Route(
        ANALYSTS, rev("surveys_admin:release", pk=SURVEY_PK, version=lambda w: w.release.version)
    ),
    "surveys_admin:release_file": Route(
        ANALYSTS,
        rev(
            "surveys_admin:release_file",
            pk=SURVEY_PK,
            version=lambda w: w.release.version,
            name=lambda w: w.release_file.name,
        ),
    ),
    "surveys_admin:dashboard": Route(ANALYSTS, rev("surveys_admin:dashboard", pk=SURVEY_PK)),
    "surveys_admin:exports": Route(ANALYSTS, rev("surveys_admin:exports", pk=SURVEY_PK)),
    "surveys_admin:export_job": Route(
        ANALYSTS, rev("surveys_admin:export_job", pk=SURVEY_PK, job_id=lambda w: w.export_job.pk)
    ),
    "surveys_admin:export_status": Route(
        ANALYSTS, rev("surveys_admin:export_status", pk=SURVEY_PK, job_id=lambda w: w.export_job.pk)
    ),
    "surveys_admin:export_download": Route(
        ANALYSTS,
        rev("surveys_admin:export_download", pk=SURVEY_PK, job_id=lambda w: w.export_job.pk),
    ),
    # Disclosure requests
    "disclosure_admin:queue": Route(OFFICERS, rev("disclosure_admin:queue")),
    "disclosure_admin:queue_results": Route(OFFICERS, rev("disclosure_admin:queue_results")),
    "disclosure_admin:detail": Route(
        OFFICERS, rev("disclosure_admin:detail", pk=lambda w: w.disclosure_request.pk)
    ),
    # Enterprise disclosure supervision (inside the 信息公开 menu group)
    "enterprises_admin:queue": Route(OFFICERS, rev("enterprises_admin:queue")),
    "enterprises_admin:remind": Route(OFFICERS, rev("enterprises_admin:remind"), "post"),
    "enterprises_admin:report_import": Route(OFFICERS, rev("enterprises_admin:report_import")),
    "enterprises_admin:report_template": Route(OFFICERS, rev("enterprises_admin:report_template")),
    "enterprises_admin:monitoring_import": Route(
        OFFICERS, rev("enterprises_admin:monitoring_import")
    ),
    "enterprises_admin:documents": Route(OFFICERS, rev("enterprises_admin:documents")),
    "enterprises_admin:document_new": Route(OFFICERS, rev("enterprises_admin:document_new")),
    # Enterprise accounts (the bureau adds and removes who files for an enterprise)
    "enterprise_accounts_admin:index": Route(OFFICERS, rev("enterprise_accounts_admin:index")),
    "enterprise_accounts_admin:enterprise": Route(
        OFFICERS, rev("enterprise_accounts_admin:enterprise", pk=OWN_ENTERPRISE)
    ),
    "enterprise_accounts_admin:remove": Route(
        OFFICERS,
        rev("enterprise_accounts_admin:remove", pk=OWN_ACCOUNT),
        note="GET: the confirmation page (a POST would remove the persona's account)",
    ),
    "enterprise_accounts_admin:resend": Route(
        OFFICERS,
        rev("enterprise_accounts_admin:resend", pk=OWN_ACCOUNT),
        "post",
        note="the persona has a password: refused with a message, nothing sent",
    ),
    "enterprise_accounts_admin:token_revoke": Route(
        OFFICERS,
        rev("enterprise_accounts_admin:token_revoke", pk=OWN_TOKEN),
        "post",
        note="the first allowed persona revokes it, the next ones are told it already is",
    ),
    # Learning: statistics and the pickup desk
    "learning_admin:statistics": Route(
        frozenset({"editor", "analyst", "administrator"}), rev("learning_admin:statistics")
    ),
    "learning_admin:statistics_results": Route(
        frozenset({"editor", "analyst", "administrator"}), rev("learning_admin:statistics_results")
    ),
    "learning_admin:desk": Route(
        frozenset({"editor", "administrator"}), rev("learning_admin:desk")
    ),
    "learning_admin:desk_action": Route(
        frozenset({"editor", "administrator"}),
        rev("learning_admin:desk_action", pk=lambda w: w.redemption.pk),
        "post",
    ),
}

# (persona, route) pairs that depend on another helper's change; see H2 above.
PENDING: dict[tuple[str, str], str] = {}
# Routes that exist only with DEBUG on (the URL conf is read once per process).
DEBUG_ONLY = {"^media/(?P<path>.*)$"}

# Every other route under /admin/ (Wagtail's pages, images, documents, snippets of every app,
# users, settings, reports…): staff only. Wagtail's own permissions decide among staff; the
# project's screens that show case, evidence, response or request data are in ROUTES above.
ADMIN_PREFIX = "/admin/"
ADMIN_OPEN = {  # admin routes anyone may reach: signing in and out, static translations/icons
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}


def route_key(pattern: str, name: str | None) -> str:
    return name or pattern.lstrip("/")


def all_routes():
    return [(pattern, name) for pattern, name in walk_urlconf()]


def test_every_route_is_in_the_matrix():
    missing = sorted(
        f"{name or '(unnamed)'} at {pattern}"
        for pattern, name in all_routes()
        if route_key(pattern, name) not in ROUTES and not pattern.startswith(ADMIN_PREFIX)
    )
    assert not missing, (
        "Add these routes to ROUTES in tests/portal/test_persona_matrix.py:\n" + "\n".join(missing)
    )
    known = {route_key(p, n) for p, n in all_routes()}
    stale = set(ROUTES) - known - DEBUG_ONLY
    assert not stale, f"stale entries: {sorted(stale)}"


def _cases():
    present = {route_key(p, n) for p, n in walk_urlconf()}
    for key in ROUTES:
        if key not in present:
            continue  # a DEBUG-only route in a run without it
        for persona in PERSONA_NAMES:
            marks = []
            if (persona, key) in PENDING:
                marks.append(pytest.mark.xfail(strict=True, reason=PENDING[(persona, key)]))
            yield pytest.param(key, persona, id=f"{key}-{persona}", marks=marks)


@pytest.mark.parametrize("key,persona", list(_cases()))
def test_route_as_persona(world, db, client, settings, key, persona):
    # The tests' in-memory storage has no local files: documents are served by redirect, as
    # from object storage in production.
    settings.WAGTAILDOCS_SERVE_METHOD = "redirect"
    route = ROUTES[key]
    url = route.url(world)
    response = request_as(client, world, persona, url, route.method)
    expected = "allowed" if persona in route.allowed else "refused"
    actual = "refused" if refused(response, url) else "allowed"
    assert actual == expected, (
        f"{key} ({url}) as {persona}: expected {expected}, got {response.status_code} "
        f"{response.get('Location', '')}"
    )


def _placeholder_url(pattern: str) -> str | None:
    """A concrete URL for an admin pattern, with placeholder values for its arguments."""
    path = pattern
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:str:|slug:|path:)?\w+>", "x", path)
    path = re.sub(r"\^|\$", "", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"\([^)]*\)[*+?]?", "", path)
    path = path.replace(".*", "x").replace("\\", "")
    return path if re.fullmatch(r"[\w\-./~%]*", path) else None


@pytest.mark.parametrize("persona", ["anonymous", "resident", "enterprise"])
def test_every_admin_route_refuses_non_staff(world, db, client, persona):
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    wrong = []
    for pattern, name in all_routes():
        if (
            not pattern.startswith(ADMIN_PREFIX)
            or name in ADMIN_OPEN
            or name == "admin_login_redirect"
        ):
            continue
        url = _placeholder_url(pattern)
        assert url, f"cannot build a URL for {pattern}"
        response = client.get(url)
        if not refused(response, url):
            wrong.append(
                f"{name or pattern} ({url}): {response.status_code} {response.get('Location', '')}"
            )
    assert not wrong, f"admin routes reachable as {persona}:\n" + "\n".join(wrong)


def test_staff_personas_reach_the_admin_but_only_their_screens(world):
    """Sanity of the table itself: no project admin screen is open to non-staff."""
    for key, route in ROUTES.items():
        if ":" in key and key.split(":")[0].endswith("_admin"):
            assert route.allowed <= STAFF, key
    try:
        reverse("wagtailadmin_home")
    except NoReverseMatch:  # pragma: no cover
        pytest.fail("the admin is not mounted")


@pytest.mark.parametrize(
    "route",
    ["enterprises:filing_annual", "enterprises:filing_temporary", "enterprises:filing_token"],
)
def test_an_enterprise_account_is_refused_on_another_enterprise(world, db, client, route):
    """Scoped: the enterprise persona files for its own enterprise only (403 on another)."""
    client.force_login(world.users["enterprise"])
    kwargs = {"pk": world.other_enterprise.pk}
    if route == "enterprises:filing_annual":
        kwargs["year"] = 2025
    url = reverse(route, kwargs=kwargs)
    response = client.post(url) if route == "enterprises:filing_token" else client.get(url)
    assert response.status_code == 403
