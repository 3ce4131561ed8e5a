"""Enterprise accounts made by the bureau (enterprises/accounts.py, the admin screens under 信息公开).

A supervisor (disclosure officer, administrator) adds a person by e-mail: a new address gets a
new account and an invitation with a one-time set-password link; an address an account has
verified links that account; superusers, staff, unverified addresses and duplicates are refused
with nothing saved. Removing ends one enterprise's filing and drops the filer role only when no
other enterprise remains. Everyone else is refused on every route.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from enterprises import accounts, services
from enterprises.models import ApiToken, EnterpriseAccount
from portal import roles
from portal.models import Notification
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "Lantern-Orchid-2026"


def _add_url(enterprise):
    return reverse("enterprise_accounts_admin:enterprise", args=[enterprise.pk])


def _is_filer(user) -> bool:
    return user.groups.filter(name=roles.ENTERPRISE_FILER).exists()


def _log_actions(enterprise) -> list[str]:
    return list(
        ModelLogEntry.objects.for_instance(enterprise)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _link(body: str) -> str:
    found = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", body)
    assert found, body
    return urlsplit(found.group(0)).path


# --- adding a new person -----------------------------------------------------------------------


def test_a_new_person_is_invited_sets_a_password_signs_in_and_reaches_the_filing_pages(
    client, disclosure_officer, own, django_capture_on_commit_callbacks
):
    client.force_login(disclosure_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _add_url(own),
            {"email": "Filer@Steel.Example.cn", "last_name": "李", "first_name": "明"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="filer@steel.example.cn")
    assert (user.last_name, user.first_name) == ("李", "明")
    assert not user.has_usable_password() and user.last_login is None
    assert _is_filer(user)
    assert EnterpriseAccount.objects.filter(user=user, enterprise=own).exists()
    assert EmailAddress.objects.get(user=user).verified
    assert _log_actions(own) == [accounts.LOG_ADD]
    # The outbox row holds no secret: the link is made when the mail is sent.
    row = Notification.objects.get(event="enterprises.account_invitation")
    assert row.recipient_id == user.pk and row.context == {}
    [message] = mail.outbox
    assert message.to == ["filer@steel.example.cn"]
    assert own.name in message.subject
    link = _link(message.body)

    visitor = Client()
    step = visitor.get(link)
    assert step.status_code == 302  # allauth moves the key out of the URL into the session
    form_url = step["Location"]
    done = visitor.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # One-time: the same link no longer works once the password is set.
    again = Client().get(link)
    assert again.status_code == 200 and again.context["token_fail"]

    login = visitor.post(
        reverse("account_login"), {"login": "filer@steel.example.cn", "password": NEW_PASSWORD}
    )
    assert login.status_code == 302
    assert visitor.session["_auth_user_id"] == str(user.pk)
    filing = visitor.get(reverse("enterprises:filing_home"))
    assert filing.status_code == 200
    assert own.name in filing.content.decode()


def test_with_mfa_required_the_new_filer_is_sent_to_set_up_totp_first(
    client, disclosure_officer, own, settings
):
    settings.PORTAL_REQUIRE_STAFF_MFA = True
    accounts.account_add(actor=disclosure_officer, enterprise=own, email="mfa@steel.example.cn")
    user = User.objects.get(email="mfa@steel.example.cn")
    user.set_password(NEW_PASSWORD)
    user.save()
    client.post(
        reverse("account_login"), {"login": "mfa@steel.example.cn", "password": NEW_PASSWORD}
    )
    response = client.get(reverse("enterprises:filing_home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_screens_show_the_new_account_and_its_state(client, disclosure_officer, own, other):
    accounts.account_add(actor=disclosure_officer, enterprise=own, email="new@steel.example.cn")
    client.force_login(disclosure_officer)
    page = client.get(_add_url(own)).content.decode()
    assert "new@steel.example.cn" in page
    assert (
        reverse("enterprise_accounts_admin:resend", args=[_account("new@steel.example.cn").pk])
        in page
    )
    assert "new@steel.example.cn" not in client.get(_add_url(other)).content.decode()
    listing = client.get(reverse("enterprise_accounts_admin:index"), {"q": own.credit_code})
    text = listing.content.decode()
    assert "new@steel.example.cn" in text and own.name in text
    listing = client.get(reverse("enterprise_accounts_admin:index"), {"q": "nobody-like-this"})
    assert "new@steel.example.cn" not in listing.content.decode()


def _account(email):
    return EnterpriseAccount.objects.get(user__email=email)


def test_the_list_of_all_accounts_runs_a_fixed_number_of_queries(
    client, disclosure_officer, own, other, django_assert_max_num_queries
):
    for n in range(3):
        accounts.account_add(actor=disclosure_officer, enterprise=own, email=f"a{n}@example.cn")
        accounts.account_add(actor=disclosure_officer, enterprise=other, email=f"a{n}@example.cn")
    client.force_login(disclosure_officer)
    client.get(reverse("enterprise_accounts_admin:index"))  # warm caches (content types, menu)
    with django_assert_max_num_queries(30) as captured:
        response = client.get(reverse("enterprise_accounts_admin:index"))
    assert response.content.decode().count("@example.cn") >= 6
    few = len(captured)
    for n in range(3, 9):
        accounts.account_add(actor=disclosure_officer, enterprise=own, email=f"a{n}@example.cn")
    with django_assert_max_num_queries(few):
        client.get(reverse("enterprise_accounts_admin:index"))


# --- linking an existing account ----------------------------------------------------------------


def test_an_existing_verified_account_is_linked_and_told(
    disclosure_officer, resident, own, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = accounts.account_add(
            actor=disclosure_officer, enterprise=own, email=resident.email.upper()
        )
    assert result.created_user is False and result.role_granted is True
    assert result.account.user == resident
    assert _is_filer(resident)
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)  # nothing about the account itself changes
    [message] = mail.outbox
    assert message.to == [resident.email]
    assert "/accounts/password/reset/key/" not in message.body
    assert reverse("enterprises:filing_home") in message.body


def test_a_second_enterprise_keeps_the_role_already_held(enterprise, disclosure_officer, other):
    result = accounts.account_add(
        actor=disclosure_officer, enterprise=other, email=enterprise.email
    )
    assert result.role_granted is False
    assert EnterpriseAccount.objects.filter(user=enterprise).count() == 2


@pytest.mark.parametrize(
    ("persona", "code"),
    [("administrator", "superuser"), ("disclosure_officer", "staff"), ("editor", "staff")],
)
def test_superusers_and_staff_are_refused(request, disclosure_officer, own, persona, code):
    target = request.getfixturevalue(persona)
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.account_add(actor=disclosure_officer, enterprise=own, email=target.email)
    assert refused.value.code == code
    assert target.email in refused.value.messages[0]
    assert not EnterpriseAccount.objects.filter(user=target).exists()
    assert not _is_filer(target)
    assert _log_actions(own) == []
    assert not Notification.objects.exists()


def test_a_superuser_without_an_allauth_address_is_refused_as_a_superuser(disclosure_officer, own):
    """``createsuperuser`` makes no allauth address row: the refusal still names the reason."""
    root = User.objects.create_superuser("root", "root@bureau.example.cn", PASSWORD)
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.account_add(actor=disclosure_officer, enterprise=own, email=root.email)
    assert refused.value.code == "superuser"
    assert not EnterpriseAccount.objects.filter(user=root).exists()


def test_the_superuser_refusal_says_why_on_the_screen(
    client, disclosure_officer, administrator, own
):
    client.force_login(disclosure_officer)
    response = client.post(_add_url(own), {"email": administrator.email})
    assert response.status_code == 400
    text = response.content.decode()
    assert f"{administrator.email} 是超级用户账号" in text  # says why, in the admin's language
    assert not EnterpriseAccount.objects.filter(user=administrator).exists()


def test_a_duplicate_is_refused_with_nothing_saved(client, disclosure_officer, enterprise, own):
    client.force_login(disclosure_officer)
    response = client.post(_add_url(own), {"email": enterprise.email})
    assert response.status_code == 400
    assert enterprise.email in response.content.decode()
    assert EnterpriseAccount.objects.filter(user=enterprise).count() == 1
    assert _log_actions(own) == []
    assert not Notification.objects.exists()


def test_an_address_an_account_has_not_verified_is_refused(disclosure_officer, own):
    """Otherwise anyone could sign up with an enterprise's address and be handed its filing."""
    squatter = UserFactory(username="squatter", email="contact@steel.example.cn")
    EmailAddress.objects.filter(user=squatter).update(verified=False)
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.account_add(
            actor=disclosure_officer, enterprise=own, email="contact@steel.example.cn"
        )
    assert refused.value.code == "unverified"
    assert not EnterpriseAccount.objects.filter(user=squatter).exists()
    assert User.objects.filter(email__iexact="contact@steel.example.cn").count() == 1


def test_a_deactivated_account_is_refused(disclosure_officer, resident, own):
    resident.is_active = False
    resident.save()
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.account_add(actor=disclosure_officer, enterprise=own, email=resident.email)
    assert refused.value.code == "inactive"


def test_an_invalid_address_is_a_form_error(client, disclosure_officer, own):
    client.force_login(disclosure_officer)
    response = client.post(_add_url(own), {"email": "not-an-address"})
    assert response.status_code == 400
    assert not EnterpriseAccount.objects.exists()
    assert not User.objects.filter(email="not-an-address").exists()


# --- removing -----------------------------------------------------------------------------------


def test_removing_the_last_enterprise_drops_the_role_and_says_so(
    client, disclosure_officer, enterprise, own
):
    account = EnterpriseAccount.objects.get(user=enterprise, enterprise=own)
    services.token_create(enterprise=own, label="DCS", user=enterprise)
    client.force_login(disclosure_officer)
    confirm = client.get(reverse("enterprise_accounts_admin:remove", args=[account.pk]))
    assert confirm.status_code == 200
    assert EnterpriseAccount.objects.filter(pk=account.pk).exists()  # GET changes nothing
    response = client.post(
        reverse("enterprise_accounts_admin:remove", args=[account.pk]), follow=True
    )
    assert not EnterpriseAccount.objects.filter(pk=account.pk).exists()
    assert not _is_filer(enterprise)
    enterprise.refresh_from_db()
    assert enterprise.is_active and enterprise.check_password(PASSWORD)
    assert ApiToken.objects.filter(enterprise=own, revoked_at__isnull=True).count() == 1
    text = " ".join(str(m) for m in response.context["messages"])
    assert enterprise.email in text
    assert "取消其“企业环境信息填报员”角色" in text
    assert "1 个监测数据接口令牌仍然有效" in text  # named, not revoked silently
    assert _log_actions(own) == [accounts.LOG_REMOVE]
    entry = ModelLogEntry.objects.for_instance(own).get()
    assert entry.user == disclosure_officer
    assert entry.data == {"account_user": enterprise.pk, "role_removed": True}


def test_removing_one_of_two_enterprises_keeps_the_role(disclosure_officer, enterprise, own, other):
    accounts.account_add(actor=disclosure_officer, enterprise=other, email=enterprise.email)
    account = EnterpriseAccount.objects.get(user=enterprise, enterprise=own)
    result = accounts.account_remove(actor=disclosure_officer, account_id=account.pk)
    assert result.role_removed is False and result.other_enterprises == 1
    assert _is_filer(enterprise)
    assert services.can_file(enterprise, other) and not services.can_file(enterprise, own)


def test_removing_twice_is_a_clear_refusal(disclosure_officer, enterprise, own):
    account = EnterpriseAccount.objects.get(user=enterprise, enterprise=own)
    accounts.account_remove(actor=disclosure_officer, account_id=account.pk)
    with pytest.raises(accounts.AccountRefused) as refused:
        accounts.account_remove(actor=disclosure_officer, account_id=account.pk)
    assert refused.value.code == "gone"


# --- resending the invitation -------------------------------------------------------------------


def test_the_invitation_is_resent_only_while_pending(
    client, disclosure_officer, enterprise, own, django_capture_on_commit_callbacks
):
    accounts.account_add(actor=disclosure_officer, enterprise=own, email="late@steel.example.cn")
    pending = _account("late@steel.example.cn")
    client.force_login(disclosure_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enterprise_accounts_admin:resend", args=[pending.pk]))
    assert len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body
    assert _log_actions(own)[-1] == accounts.LOG_INVITE
    # The enterprise persona has a password: no invitation.
    active = EnterpriseAccount.objects.get(user=enterprise, enterprise=own)
    with pytest.raises(accounts.AccountRefused):
        accounts.invitation_resend(actor=disclosure_officer, account_id=active.pk)


# --- who may -------------------------------------------------------------------------------------


def _routes(own_account):
    return [
        ("get", reverse("enterprise_accounts_admin:index")),
        ("get", reverse("enterprise_accounts_admin:enterprise", args=[own_account.enterprise_id])),
        ("post", reverse("enterprise_accounts_admin:enterprise", args=[own_account.enterprise_id])),
        ("get", reverse("enterprise_accounts_admin:remove", args=[own_account.pk])),
        ("post", reverse("enterprise_accounts_admin:remove", args=[own_account.pk])),
        ("get", reverse("enterprise_accounts_admin:resend", args=[own_account.pk])),
        ("post", reverse("enterprise_accounts_admin:resend", args=[own_account.pk])),
        ("post", reverse("enterprise_accounts_admin:token_revoke", args=[_token(own_account).pk])),
    ]


def _token(account):
    token, _created = ApiToken.objects.get_or_create(
        enterprise=account.enterprise,
        label="在线监测",
        defaults={"prefix": "ent_abcd", "token_hash": "f" * 64},
    )
    return token


@pytest.mark.parametrize(
    "persona", ["editor", "intake", "handler_a", "analyst", "enterprise", "resident"]
)
def test_everyone_but_supervisors_is_refused_on_every_route(
    request, client, enterprise, own, persona
):
    user = request.getfixturevalue(persona)
    account = EnterpriseAccount.objects.get(user=enterprise, enterprise=own)
    client.force_login(user)
    for method, url in _routes(account):
        data = {"email": "x@example.cn"} if method == "post" else None
        response = getattr(client, method)(url, data)
        # Staff: Wagtail answers a refusal inside the admin with a redirect to the dashboard
        # ("no permission"); others get 403 or the sign-in page. An XHR always gets a plain 403.
        if response.status_code != 403:
            assert response.status_code == 302, (persona, method, url, response.status_code)
            assert urlsplit(response["Location"]).path in ("/admin/", reverse("account_login"))
        xhr = getattr(client, method)(url, data, headers={"x-requested-with": "XMLHttpRequest"})
        assert xhr.status_code == 403, (persona, method, url)
    assert EnterpriseAccount.objects.filter(pk=account.pk).exists()
    assert not User.objects.filter(email="x@example.cn").exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("persona", ["editor", "enterprise", "intake"])
def test_the_rules_refuse_non_supervisors(request, own, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(accounts.AccountForbidden):
        accounts.account_add(actor=user, enterprise=own, email="x@example.cn")
    with pytest.raises(accounts.AccountForbidden):
        accounts.accounts_list(actor=user)
    assert not User.objects.filter(email="x@example.cn").exists()


def test_superuser_status_alone_is_not_a_supervisor(own):
    root = UserFactory(username="root")
    root.is_superuser = root.is_staff = True
    root.save()
    with pytest.raises(accounts.AccountForbidden):
        accounts.account_add(actor=root, enterprise=own, email="x@example.cn")


def test_the_administrator_role_may_manage_accounts(client, administrator, own):
    client.force_login(administrator)
    response = client.post(_add_url(own), {"email": "admin-made@example.cn"})
    assert response.status_code == 302
    assert EnterpriseAccount.objects.filter(user__email="admin-made@example.cn").exists()


def test_posts_need_the_csrf_token(disclosure_officer, enterprise, own):
    account = EnterpriseAccount.objects.get(user=enterprise, enterprise=own)
    client = Client(enforce_csrf_checks=True)
    client.force_login(disclosure_officer)
    for url, data in [
        (_add_url(own), {"email": "csrf@example.cn"}),
        (reverse("enterprise_accounts_admin:remove", args=[account.pk]), {}),
        (reverse("enterprise_accounts_admin:resend", args=[account.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert EnterpriseAccount.objects.filter(pk=account.pk).exists()
    assert not User.objects.filter(email="csrf@example.cn").exists()


# --- reaching the screens ------------------------------------------------------------------------


def test_the_enterprise_list_and_edit_screen_link_to_the_accounts(client, disclosure_officer, own):
    client.force_login(disclosure_officer)
    target = _add_url(own)
    listing = client.get(reverse("wagtailsnippets_enterprises_enterprise:list"))
    assert target in listing.content.decode()
    edit = client.get(reverse("wagtailsnippets_enterprises_enterprise:edit", args=[own.pk]))
    assert target in edit.content.decode()


def test_the_history_of_the_enterprise_shows_the_account_changes(
    client, disclosure_officer, enterprise, own
):
    accounts.account_add(actor=disclosure_officer, enterprise=own, email="hist@steel.example.cn")
    account = EnterpriseAccount.objects.get(user=enterprise, enterprise=own)
    accounts.account_remove(actor=disclosure_officer, account_id=account.pk)
    client.force_login(disclosure_officer)
    page = client.get(
        reverse("wagtailsnippets_enterprises_enterprise:history", args=[own.pk])
    ).content.decode()
    assert "hist@steel.example.cn" in page and enterprise.email in page


def test_the_bureau_sees_and_revokes_an_enterprises_tokens(
    client, disclosure_officer, enterprise, own
):
    token, raw = services.token_create(enterprise=own, label="在线监测系统", user=enterprise)
    client.force_login(disclosure_officer)
    page = client.get(_add_url(own)).content.decode()
    assert token.prefix in page and "在线监测系统" in page and raw not in page
    url = reverse("enterprise_accounts_admin:token_revoke", args=[token.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.token_authenticate(raw) is None
    assert _log_actions(own)[-1] == services.LOG_TOKEN_REVOKE
    client.post(url)  # again: told it already is, nothing logged twice
    assert _log_actions(own).count(services.LOG_TOKEN_REVOKE) == 1
