"""The bureau's screens for enterprise accounts (Wagtail admin, under 信息公开): every account,
one enterprise's accounts with the form that adds one, removal with confirmation, and a fresh
invitation. The rules are ``enterprises.accounts``; every view asks it first."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from enterprises import accounts, services
from enterprises.account_forms import AccountAddForm
from enterprises.models import ApiToken, Enterprise, EnterpriseAccount
from portal.redirects import safe_next

PER_PAGE = 50


def _check(request):
    if not accounts.can_manage_accounts(request.user):
        raise PermissionDenied


def _account(request, pk: int) -> EnterpriseAccount:
    try:
        return accounts.account_for_actor(actor=request.user, account_id=pk)
    except EnterpriseAccount.DoesNotExist:
        raise Http404 from None


def _row(account: EnterpriseAccount) -> dict:
    user = account.user
    if not user.is_active:
        state = pgettext("account state", "Deactivated")
    elif accounts.invitation_pending(user):
        state = pgettext("account state", "Invited, no password set yet")
    elif user.last_login is None:
        state = pgettext("account state", "Password set, never signed in")
    else:
        state = pgettext("account state", "Active")
    return {
        "account": account,
        "name": f"{user.last_name}{user.first_name}".strip(),
        "state": state,
        "pending": accounts.invitation_pending(user),
    }


def _enterprise_urls(enterprise: Enterprise) -> dict:
    return {
        "edit_url": reverse("wagtailsnippets_enterprises_enterprise:edit", args=[enterprise.pk]),
        "history_url": reverse(
            "wagtailsnippets_enterprises_enterprise:history", args=[enterprise.pk]
        ),
        "list_url": reverse("wagtailsnippets_enterprises_enterprise:list"),
    }


def index(request):
    """Every enterprise account, searchable by address, name, enterprise or credit code."""
    _check(request)
    q = request.GET.get("q", "").strip()[:100]
    rows = accounts.accounts_list(actor=request.user, q=q)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("p"))
    return render(
        request,
        "enterprises/admin/accounts_index.html",
        {
            "page_title": _("Enterprise accounts"),
            "header_title": _("Enterprise accounts"),
            "header_icon": "group",
            "q": q,
            "page_obj": page,
            "rows": [_row(account) for account in page],
        },
    )


def enterprise_accounts(request, pk: int):
    """One enterprise's accounts and the form that adds one (POST)."""
    _check(request)
    enterprise = get_object_or_404(Enterprise, pk=pk)
    form = AccountAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = accounts.account_add(
                    actor=request.user, enterprise=enterprise, **form.cleaned_data
                )
            except accounts.AccountRefused as exc:
                form.add_error("email", exc.messages[0])
            else:
                messages.success(request, _added_message(result))
                return redirect("enterprise_accounts_admin:enterprise", enterprise.pk)
        status = 400
    urls = _enterprise_urls(enterprise)
    rows = accounts.accounts_list(actor=request.user, enterprise=enterprise)
    title = _("Filing accounts of %(name)s") % {"name": enterprise.name}
    return render(
        request,
        "enterprises/admin/accounts_enterprise.html",
        {
            "page_title": title,
            "header_title": title,
            "header_icon": "group",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("Home")},
                {"url": urls["list_url"], "label": _("Enterprise list")},
                {"url": urls["edit_url"], "label": enterprise.name},
                {"url": "", "label": title},
            ],
            "history_url": urls["history_url"],
            "enterprise": enterprise,
            "rows": [_row(account) for account in rows],
            "tokens": enterprise.tokens.filter(revoked_at__isnull=True)
            .select_related("created_by")
            .order_by("-created_at"),
            "form": form,
            **urls,
        },
        status=status,
    )


def _added_message(result: accounts.AddResult) -> str:
    account = result.account
    values = {"email": account.user.email, "enterprise": account.enterprise.name}
    if result.created_user:
        return (
            _(
                "A new account was made for %(email)s, which now files for %(enterprise)s. An "
                "invitation with a one-time link to set a password has been e-mailed."
            )
            % values
        )
    text = (
        _(
            "%(email)s (an existing account) now files for %(enterprise)s and has been told by e-mail."
        )
        % values
    )
    if not result.role_granted:
        text += " " + _("The account already filed for another enterprise.")
    return text


def remove(request, pk: int):
    """GET: what removing would do; POST: remove."""
    _check(request)
    account = _account(request, pk)
    fallback = reverse("enterprise_accounts_admin:enterprise", args=[account.enterprise_id])
    if request.method == "POST":
        try:
            result = accounts.account_remove(actor=request.user, account_id=account.pk)
        except accounts.AccountRefused as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _removed_message(result))
        return redirect(safe_next(request, fallback))
    effects = accounts.removal_effects(actor=request.user, account=account)
    return render(
        request,
        "enterprises/admin/account_remove.html",
        {
            "page_title": _("Remove an enterprise account"),
            "header_title": _("Remove an enterprise account"),
            "header_icon": "bin",
            "account": account,
            "row": _row(account),
            "effects": effects,
            "next": safe_next(request, fallback),
            "cancel_url": safe_next(request, fallback),
        },
    )


def _removed_message(result: accounts.RemoveResult) -> str:
    values = {"email": result.user.email, "enterprise": result.enterprise.name}
    parts = [_("%(email)s no longer files for %(enterprise)s.") % values]
    if result.role_removed:
        parts.append(
            _("They file for no other enterprise, so their enterprise discloser role was removed.")
        )
    else:
        parts.append(
            ngettext(
                "They still file for %(n)s other enterprise, so their enterprise discloser role "
                "stays.",
                "They still file for %(n)s other enterprises, so their enterprise discloser role "
                "stays.",
                result.other_enterprises,
            )
            % {"n": result.other_enterprises}
        )
    parts.append(_("The account itself, its password and two-factor setup are unchanged."))
    if result.tokens_kept:
        parts.append(
            ngettext(
                "%(n)s monitoring API token they created stays valid: tokens belong to the "
                "enterprise.",
                "%(n)s monitoring API tokens they created stay valid: tokens belong to the "
                "enterprise.",
                result.tokens_kept,
            )
            % {"n": result.tokens_kept}
        )
    return _sentences(parts)


def _sentences(parts: list[str]) -> str:
    """Sentences joined by a space, except after a full-width stop (Chinese needs none)."""
    return re.sub(r"(?<=[。！？]) ", "", " ".join(parts))


def resend(request, pk: int):
    """POST: mail a fresh invitation link (only while no password is set and nobody signed in)."""
    _check(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    account = _account(request, pk)
    try:
        accounts.invitation_resend(actor=request.user, account_id=account.pk)
    except accounts.AccountRefused as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("A new invitation has been e-mailed to %(email)s.") % {"email": account.user.email},
        )
    fallback = reverse("enterprise_accounts_admin:enterprise", args=[account.enterprise_id])
    return redirect(safe_next(request, fallback))


def token_revoke(request, pk: int):
    """POST: the bureau revokes one of an enterprise's monitoring API tokens (e.g. a leaked one,
    or one made by a filer who left)."""
    _check(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    token = get_object_or_404(ApiToken.objects.select_related("enterprise"), pk=pk)
    if services.token_revoke(token=token, user=request.user):
        messages.success(
            request,
            _("Token %(prefix)s… revoked: the monitoring system using it is refused from now on.")
            % {"prefix": token.prefix},
        )
    else:
        messages.info(request, _("This token was already revoked."))
    return redirect("enterprise_accounts_admin:enterprise", token.enterprise_id)
