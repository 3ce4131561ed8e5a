"""Accounts: email sign-up with mandatory verification, phone codes by SMS, staff two-factor."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core import mail
from django.urls import reverse

from portal import roles
from portal.notifications.render import render
from portal.sms import MemorySmsSender
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_sign_up_requires_verification_before_login(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.resident@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "new.resident@example.org" in mail.outbox[0].to
    assert "_auth_user_id" not in client.session

    login = client.post(
        reverse("account_login"), {"login": "new.resident@example.org", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert login.status_code == 302
    assert login["Location"] == reverse("account_email_verification_sent")


def test_verified_user_logs_in_by_email(client):
    user = UserFactory(email="verified@example.org")
    response = client.post(
        reverse("account_login"), {"login": "verified@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("me")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sign_up_form_errors_re_render_in_chinese(client):
    response = client.post(reverse("account_signup"), {"email": "not-an-email", "password1": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "输入一个有效的" in html  # Django's zh-hans message for an invalid email
    assert 'value="not-an-email"' in html  # input kept


def test_adding_a_phone_number_sends_a_code_by_sms(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("account_change_phone"), {"phone": "+8613800000000"})
    assert response.status_code == 302
    assert len(MemorySmsSender.outbox) == 1
    phone, template_id, params = MemorySmsSender.outbox[0]
    assert phone == "+8613800000000"
    assert template_id == settings.PORTAL_SMS_TEMPLATES["account_verification_code"]
    assert list(params) == ["code"] and params["code"]
    assert "验证码" in render("account_verification_code", "sms", params)


def test_staff_must_enrol_two_factor_before_using_the_admin(client, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    editor = UserFactory(roles=[roles.EDITOR])
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")

    # Enrolment alone is not enough: the session must enter a code (tests/portal/test_mfa.py).
    TOTP.activate(editor, generate_totp_secret())
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_two_factor_rule_leaves_residents_alone(client, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    client.force_login(UserFactory())
    # A resident has no admin access at all: a 403 page, the MFA rule does not apply.
    response = client.get("/admin/")
    assert response.status_code == 403
    assert response.get("Location") != reverse("mfa_activate_totp")


def test_staff_may_use_the_admin_without_two_factor_when_the_rule_is_off(client, settings):
    settings.PORTAL_REQUIRE_STAFF_MFA = False
    client.force_login(UserFactory(roles=[roles.EDITOR]))
    assert client.get("/admin/").status_code == 200


def test_verified_phone_number_is_a_login(client):
    user = UserFactory(phone="+8613900000001", phone_verified=True)
    response = client.post(
        reverse("account_login"), {"login": "+8613900000001", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
