"""Phone sign-up that trips allauth's SMS limit (ACCOUNT_RATE_LIMITS["verify_phone"]) gets a
429 page with an explanation, not a 500, and leaves no half-made account behind; a signed-in
resident on /admin/ gets a 403 page instead of a redirect loop."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from portal.models import User
from portal.sms import MemorySmsSender
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_up(client, email, phone):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "phone": phone,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "consent": "on",
        },
    )


def browser(ip="203.0.113.9"):
    return Client(REMOTE_ADDR=ip, raise_request_exception=False)


def test_phone_sign_up_within_the_limit_sends_a_code_and_keeps_the_account():
    response = sign_up(browser(), "first@example.org", "+8613800000001")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_verify_phone")
    assert User.objects.filter(email="first@example.org", phone="+8613800000001").exists()
    assert len(MemorySmsSender.outbox) == 1


def test_tripping_the_per_address_sms_limit_leaves_no_account_behind():
    for i in range(3):
        assert sign_up(browser(), f"r{i}@example.org", f"+861380000001{i}").status_code == 302
    assert User.objects.count() == 3
    tripped = sign_up(browser(), "fourth@example.org", "+8613800000019")
    assert tripped.status_code == 429
    html = tripped.content.decode()
    assert "验证码" in html and "未保存" in html
    assert reverse("account_signup") in html  # a way back to the form
    assert not User.objects.filter(email="fourth@example.org").exists()
    assert not User.objects.filter(phone="+8613800000019").exists()
    assert not EmailAddress.objects.filter(email="fourth@example.org").exists()
    assert User.objects.count() == 3
    assert len(MemorySmsSender.outbox) == 3
    # The accounts made within the limit are untouched.
    assert EmailAddress.objects.count() == 3


def test_signing_up_twice_with_one_phone_number_gets_a_429_not_a_500():
    assert sign_up(browser(), "a@example.org", "+8613800000020").status_code == 302
    # Same number again at once (another address): allauth's 1/30s per number trips.
    again = sign_up(browser("198.51.100.9"), "b@example.org", "+8613800000020")
    assert again.status_code == 429
    assert "验证码" in again.content.decode()
    assert list(User.objects.values_list("email", flat=True)) == ["a@example.org"]
    assert not EmailAddress.objects.filter(email="b@example.org").exists()


def test_the_tripped_sign_up_leaves_no_pending_login_in_the_session():
    client = browser()
    for i in range(3):
        sign_up(browser(), f"s{i}@example.org", f"+861380000003{i}")
    assert sign_up(client, "late@example.org", "+8613800000039").status_code == 429
    # The verification page has nothing to verify: back to sign in, not a crash.
    follow = client.get(reverse("account_verify_phone"))
    assert follow.status_code == 302


def test_a_verified_account_is_never_removed_when_the_limit_trips_at_sign_in():
    user = UserFactory(email="old@example.org", phone="+8613800000040", phone_verified=False)
    for i in range(3):
        sign_up(browser(), f"t{i}@example.org", f"+861380000004{i + 1}")
    response = browser().post(
        reverse("account_login"), {"login": "old@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert User.objects.filter(pk=user.pk).exists()


def test_a_signed_in_resident_on_the_admin_gets_a_403_page_not_a_redirect_loop(client):
    client.force_login(UserFactory())
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert response.redirect_chain == []
    html = response.content.decode()
    assert "管理后台" in html
    assert 'href="/"' in html  # the way home
    assert client.get("/admin/pages/").status_code == 403
    assert client.get("/admin/login/").status_code == 403


def test_anonymous_visitors_on_the_admin_are_still_sent_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_still_open_the_admin(client):
    from portal import roles

    client.force_login(UserFactory(roles=[roles.EDITOR]))
    assert client.get("/admin/").status_code == 200
