"""Enterprise accounts: the bureau adds and removes the people who file for an enterprise.

An enterprise account is a user in the group ``portal.roles.ENTERPRISE_FILER`` with an
``EnterpriseAccount`` row for each enterprise they file for. These functions are the only writers
of those rows and of that group membership (outside demo data and tests); each one

- asks the enterprise policy (``supervise``) first and raises ``AccountForbidden`` otherwise;
- runs in one transaction with its audit entry (Wagtail's log of the enterprise, shown in the
  enterprise's history and in Reports → Site history) and its outbox rows, so a refusal or a
  failure leaves nothing half-saved.

Rules:

- **Add by e-mail.** An address nobody uses makes a new account: no password (unusable), the
  address recorded as verified, an invitation e-mail with a one-time link to set a password
  (allauth's password-reset key, made when the mail is sent, never stored). An address an
  account has *verified* links that account, which is told by e-mail. An address an account
  uses without having verified it is refused: otherwise anyone could sign up with an
  enterprise's address in advance and be handed its filing.
- **Who may not file.** Superusers and bureau staff (admin access, ``is_staff`` or any staff
  role of ``portal.roles.ALL_ROLES``): the people who supervise the filings must not file them.
  Deactivated accounts are refused too.
- **Remove.** Deletes the ``EnterpriseAccount`` row; the filer group goes only when the person
  files for no other enterprise. The account itself, its password, two-factor setup and the
  enterprise's API tokens stay (the result says so, the view tells the officer).
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter, log

from enterprises import notifications
from enterprises.models import ApiToken, Enterprise, EnterpriseAccount
from enterprises.notifications import invitation_pending
from enterprises.policies import enterprise_policy
from portal import roles

#: Wagtail log actions (registered in ``wagtail_hooks``), written on the enterprise.
LOG_ADD = "enterprises.account_add"
LOG_REMOVE = "enterprises.account_remove"
LOG_INVITE = "enterprises.account_invite"


class AccountForbidden(PermissionDenied):
    """The actor may not manage enterprise accounts (not a supervisor)."""


class AccountRefused(ValidationError):
    """The account cannot be added, removed or invited (a translated message and a code)."""


@dataclass(frozen=True)
class AddResult:
    account: EnterpriseAccount
    #: A new user was made and invited (False: an existing account was linked and told).
    created_user: bool
    #: The filer group was granted now (False: the person already filed for another enterprise).
    role_granted: bool


@dataclass(frozen=True)
class RemoveResult:
    user: object
    enterprise: Enterprise
    #: The filer group was taken away (the person files for no other enterprise).
    role_removed: bool
    #: How many other enterprises the person still files for.
    other_enterprises: int
    #: Unrevoked API tokens of the enterprise this person created; they stay valid.
    tokens_kept: int


def can_manage_accounts(user) -> bool:
    return enterprise_policy.user_has_permission(user, "supervise")


def _check(actor) -> None:
    if not can_manage_accounts(actor):
        raise AccountForbidden(_("Only the bureau's supervisors may manage enterprise accounts."))


# --- reads ------------------------------------------------------------------------------------


def accounts_list(*, actor, enterprise: Enterprise | None = None, q: str = "") -> QuerySet:
    """Enterprise accounts (all, or one enterprise's), newest first, with ``totp_enrolled``.

    ``q`` matches the e-mail address, the person's name, the enterprise's name or credit code.
    """
    _check(actor)
    rows = EnterpriseAccount.objects.select_related("user", "enterprise").annotate(
        totp_enrolled=Exists(
            Authenticator.objects.filter(user=OuterRef("user_id"), type=Authenticator.Type.TOTP)
        )
    )
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    q = q.strip()
    if q:
        rows = rows.filter(
            Q(user__email__icontains=q)
            | Q(user__last_name__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(enterprise__name__icontains=q)
            | Q(enterprise__credit_code__iexact=q)
        )
    return rows.order_by("-created_at", "-pk")


def account_for_actor(*, actor, account_id: int) -> EnterpriseAccount:
    """One enterprise account, for a supervisor (``EnterpriseAccount.DoesNotExist`` when gone)."""
    _check(actor)
    return EnterpriseAccount.objects.select_related("user", "enterprise").get(pk=account_id)


def removal_effects(*, actor, account: EnterpriseAccount) -> dict:
    """What removing ``account`` would do, for the confirmation page: ``other_enterprises``
    (the role stays when > 0) and ``tokens_kept`` (API tokens the person made that stay valid)."""
    _check(actor)
    return {
        "other_enterprises": EnterpriseAccount.objects.filter(user_id=account.user_id)
        .exclude(pk=account.pk)
        .count(),
        "tokens_kept": ApiToken.objects.filter(
            enterprise_id=account.enterprise_id,
            created_by_id=account.user_id,
            revoked_at__isnull=True,
        ).count(),
    }


# --- writes -----------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    """The stored form of an address (allauth stores addresses lower-cased)."""
    email = (email or "").strip().lower()
    validate_email(email)
    return email


def _users_with_address(email: str) -> list:
    User = get_user_model()
    ids = set(User.objects.filter(email__iexact=email).values_list("pk", flat=True))
    ids |= set(EmailAddress.objects.filter(email__iexact=email).values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _verified_owner(email: str, users: list):
    verified = set(
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    return next((user for user in users if user.pk in verified), None)


def is_bureau_staff(user) -> bool:
    """Admin access, ``is_staff`` or a staff role: such a person supervises, never files."""
    return (
        user.is_staff
        or user.has_perm("wagtailadmin.access_admin")
        or user.groups.filter(name__in=roles.ALL_ROLES).exists()
    )


def _refuse_as_filer(user) -> None:
    if user.is_superuser:
        raise AccountRefused(
            _(
                "%(email)s is a superuser account. An account that administers the portal "
                "cannot file for an enterprise; ask the enterprise for another address."
            )
            % {"email": user.email},
            code="superuser",
        )
    if is_bureau_staff(user):
        raise AccountRefused(
            _(
                "%(email)s belongs to bureau staff. Staff supervise the disclosures and cannot "
                "file them for an enterprise; ask the enterprise for another address."
            )
            % {"email": user.email},
            code="staff",
        )
    if not user.is_active:
        raise AccountRefused(
            _("The account of %(email)s is deactivated; reactivate it under Users first.")
            % {"email": user.email},
            code="inactive",
        )


def _filer_group() -> Group:
    return Group.objects.get(name=roles.ENTERPRISE_FILER)


def _new_user(*, email: str, first_name: str, last_name: str):
    User = get_user_model()
    user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_unusable_password()
    get_adapter().populate_username(None, user)
    user.save()
    # Verified: the only way into this account is the one-time link mailed to this address, so
    # setting the password proves the mailbox (a second confirmation mail would prove nothing).
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def account_add(
    *, actor, enterprise: Enterprise, email: str, first_name: str = "", last_name: str = ""
) -> AddResult:
    """Give the person at ``email`` the filing of ``enterprise`` (see the module's rules)."""
    _check(actor)
    try:
        email = normalize_email(email)
    except ValidationError:
        raise AccountRefused(_("Enter a valid e-mail address."), code="invalid_email") from None
    with transaction.atomic():
        users = _users_with_address(email)
        user = _verified_owner(email, users)
        if users and user is None:
            for holder in users:  # a superuser or staff member is refused as such first
                _refuse_as_filer(holder)
            raise AccountRefused(
                _(
                    "An account uses %(email)s but has not confirmed the address. Ask the "
                    "person to sign in and confirm it (the portal mails a link), then add it "
                    "again."
                )
                % {"email": email},
                code="unverified",
            )
        created = user is None
        if created:
            user = _new_user(email=email, first_name=first_name, last_name=last_name)
        else:
            _refuse_as_filer(user)
            if EnterpriseAccount.objects.filter(user=user, enterprise=enterprise).exists():
                raise AccountRefused(
                    _("%(email)s already files for %(enterprise)s.")
                    % {"email": email, "enterprise": enterprise.name},
                    code="duplicate",
                )
        try:
            with transaction.atomic():
                account = EnterpriseAccount.objects.create(user=user, enterprise=enterprise)
        except IntegrityError:  # the same link made at the same moment by another request
            raise AccountRefused(
                _("%(email)s already files for %(enterprise)s.")
                % {"email": email, "enterprise": enterprise.name},
                code="duplicate",
            ) from None
        group = _filer_group()
        role_granted = not user.groups.filter(pk=group.pk).exists()
        if role_granted:
            user.groups.add(group)
        log(
            enterprise,
            LOG_ADD,
            user=actor,
            data={"account_user": user.pk, "new_user": created, "role_granted": role_granted},
        )
        if created:
            notifications.account_invitation(account)
        else:
            notifications.account_added(account)
    return AddResult(account=account, created_user=created, role_granted=role_granted)


def account_remove(*, actor, account_id: int) -> RemoveResult:
    """End one person's filing for one enterprise; nothing else is revoked (see the result)."""
    _check(actor)
    with transaction.atomic():
        account = (
            EnterpriseAccount.objects.select_for_update()
            .select_related("user", "enterprise")
            .filter(pk=account_id)
            .first()
        )
        if account is None:
            raise AccountRefused(
                _("This enterprise account no longer exists (removed meanwhile?)."), code="gone"
            )
        user, enterprise = account.user, account.enterprise
        account.delete()
        others = EnterpriseAccount.objects.filter(user=user).count()
        role_removed = False
        if others == 0:
            group = _filer_group()
            if user.groups.filter(pk=group.pk).exists():
                user.groups.remove(group)
                role_removed = True
        tokens_kept = ApiToken.objects.filter(
            enterprise=enterprise, created_by=user, revoked_at__isnull=True
        ).count()
        log(
            enterprise,
            LOG_REMOVE,
            user=actor,
            data={"account_user": user.pk, "role_removed": role_removed},
        )
    return RemoveResult(
        user=user,
        enterprise=enterprise,
        role_removed=role_removed,
        other_enterprises=others,
        tokens_kept=tokens_kept,
    )


def invitation_resend(*, actor, account_id: int) -> EnterpriseAccount:
    """Mail a fresh one-time link to a person who has not yet set a password."""
    _check(actor)
    with transaction.atomic():
        account = (
            EnterpriseAccount.objects.select_related("user", "enterprise")
            .filter(pk=account_id)
            .first()
        )
        if account is None:
            raise AccountRefused(
                _("This enterprise account no longer exists (removed meanwhile?)."), code="gone"
            )
        if not invitation_pending(account.user):
            raise AccountRefused(
                _(
                    "%(email)s has already set a password or signed in: no invitation is "
                    "needed. A forgotten password is reset from the sign-in page."
                )
                % {"email": account.user.email},
                code="not_pending",
            )
        log(account.enterprise, LOG_INVITE, user=actor, data={"account_user": account.user_id})
        notifications.account_invitation(account)
    return account


# --- the audit entries' text (Wagtail's history of the enterprise) ---------------------------


def _account_label(log_entry) -> str:
    user_id = (log_entry.data or {}).get("account_user")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return _("account #%(id)s (deleted)") % {"id": user_id}
    return user.email or user.get_username()


class AccountAddFormatter(LogFormatter):
    label = gettext_lazy("Add enterprise account")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("new_user"):
            return _("Enterprise account added: %(account)s (new account, invitation sent)") % {
                "account": _account_label(log_entry)
            }
        return _("Enterprise account added: %(account)s (existing account)") % {
            "account": _account_label(log_entry)
        }


class AccountRemoveFormatter(LogFormatter):
    label = gettext_lazy("Remove enterprise account")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        if data.get("role_removed"):
            return _("Enterprise account removed: %(account)s (filer role removed)") % {
                "account": _account_label(log_entry)
            }
        return _("Enterprise account removed: %(account)s (still files for another enterprise)") % {
            "account": _account_label(log_entry)
        }


class AccountInviteFormatter(LogFormatter):
    label = gettext_lazy("Resend enterprise account invitation")

    def format_message(self, log_entry):
        return _("Invitation sent again to %(account)s") % {"account": _account_label(log_entry)}


LOG_FORMATTERS = {
    LOG_ADD: AccountAddFormatter,
    LOG_REMOVE: AccountRemoveFormatter,
    LOG_INVITE: AccountInviteFormatter,
}
