"""Staff two-factor: every route that can serve non-public data needs a completed TOTP step.

Enrolment alone is not enough (issue 12, part 4): a session must have entered a code. The URL
conf is walked so that a new route cannot escape the classification in portal.mfa.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal import mfa
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def walk_urlconf(patterns=None, prefix="", namespace=None):
    """Every route of the URL conf (Wagtail admin, hooks and includes too): (pattern, view name)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk_urlconf(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name
            view_name = f"{namespace}:{name}" if namespace and name else name
            yield "/" + prefix + str(entry.pattern), view_name


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def mfa_on(settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = True


@pytest.fixture
def enrolled_editor(editor):
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)
    editor.totp_secret = secret
    return editor


# Routes outside the admin that serve non-public data, with the admin's own downloads.
STAFF_DATA_URLS = [
    "/admin/",
    "/admin/pages/",
    "/admin/tipoffs/",
    "/admin/tipoffs/?export=csv",
    "/admin/tipoffs/photos/1/original/",
    "/admin/survey-fieldwork/1/exports/1/download/",
    "/admin/survey-fieldwork/1/releases/v1/files/data.csv",
    "/admin/disclosure-requests/1/",
    "/tipoffs/photos/1",
    "/documents/1/reply.pdf",
]


def test_every_route_is_classified_for_staff_two_factor():
    routes = list(walk_urlconf())
    assert len(routes) > 300  # the walk reaches into the Wagtail admin and the hooks' routes
    unclassified = sorted(
        f"{name or '(unnamed)'} at {pattern}"
        for pattern, name in routes
        if mfa.classify(view_name=name, path=pattern) is None
    )
    assert not unclassified, (
        "Classify these routes in portal/mfa.py (PUBLIC_ROUTES, RESIDENT_ROUTES or "
        "STAFF_DATA_ROUTES):\n" + "\n".join(unclassified)
    )


def test_the_classification_names_only_routes_that_exist():
    names = {name for _pattern, name in walk_urlconf() if name}
    listed = mfa.PUBLIC_ROUTES | mfa.RESIDENT_ROUTES | mfa.STAFF_DATA_ROUTES
    assert not (listed - names), "stale names in portal/mfa.py"
    assert not (mfa.PUBLIC_ROUTES & mfa.STAFF_DATA_ROUTES)
    assert not (mfa.RESIDENT_ROUTES & mfa.STAFF_DATA_ROUTES)


def test_an_unclassified_route_needs_the_step_fail_closed():
    assert mfa.needs_staff_mfa(view_name="newapp:secret_download", path="/newapp/secret")
    assert mfa.needs_staff_mfa(view_name="wagtailadmin_home", path="/admin/")
    assert not mfa.needs_staff_mfa(view_name="wagtailadmin_logout", path="/admin/logout/")
    assert not mfa.needs_staff_mfa(view_name="cms:search", path="/search/")


@pytest.mark.parametrize("url", STAFF_DATA_URLS)
def test_staff_without_authenticator_are_sent_to_enrol(client, mfa_on, editor, url):
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("url", STAFF_DATA_URLS)
def test_enrolled_staff_without_a_completed_step_must_enter_a_code(
    client, mfa_on, enrolled_editor, url
):
    # force_login is a session that never entered a code, like a sign-in before enrolment.
    client.force_login(enrolled_editor)
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("mfa_reauthenticate")
    assert parse_qs(location.query)["next"] == [url]


def test_a_code_entered_at_reauthentication_opens_the_admin_and_returns_there(
    client, mfa_on, enrolled_editor
):
    client.force_login(enrolled_editor)
    step_up = client.get("/admin/pages/")["Location"]
    response = client.post(step_up, {"code": current_code(enrolled_editor.totp_secret)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_a_sign_in_with_password_and_code_completes_the_step(client, mfa_on, enrolled_editor):
    response = client.post(
        reverse("account_login"), {"login": enrolled_editor.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # password alone: not signed in yet
    client.post(reverse("mfa_authenticate"), {"code": current_code(enrolled_editor.totp_secret)})
    assert client.session["_auth_user_id"] == str(enrolled_editor.pk)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_enrolling_counts_as_the_step(client, mfa_on):
    """The activation form checks a code from the new authenticator: no second code at once.

    allauth announces the new authenticator after its transaction commits, inside the request:
    a transactional test, so that the commit (and the receiver) happen before the session is saved.
    An earlier transactional test's flush may have emptied the groups the migrations made, so the
    test grants the editor's admin access itself.
    """
    from django.apps import apps

    from portal import roles

    roles.grant_permissions(apps, roles.EDITOR, ["wagtailadmin.access_admin"])
    editor = UserFactory(username="editor-enrols", roles=[roles.EDITOR])
    client.post(reverse("account_login"), {"login": editor.email, "password": PASSWORD})
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")
    # allauth asks for the password again before an authenticator is added.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get("/admin/").status_code == 200


def test_anonymous_users_get_the_normal_login(client, mfa_on):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path in ("/admin/login/", reverse("account_login"))
    assert client.get("/tipoffs/photos/999999").status_code == 404


def test_residents_are_not_asked_for_a_second_factor(client, mfa_on, resident):
    client.force_login(resident)
    assert client.get(reverse("me")).status_code == 200
    assert client.get("/tipoffs/photos/999999").status_code == 404  # the view decides, no MFA
    admin = client.get("/admin/")
    assert reverse("mfa_activate_totp") not in admin.get("Location", "")
    assert reverse("mfa_reauthenticate") not in admin.get("Location", "")


def test_staff_keep_public_and_own_pages_without_the_step(client, mfa_on, editor):
    client.force_login(editor)
    assert client.get(reverse("me")).status_code == 200
    assert client.get(reverse("tipoffs:new")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_the_rule_is_off_in_development(client, settings, editor):
    settings.PORTAL_REQUIRE_STAFF_MFA = False
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200
