"""我的 → 我的数据 (download, correct, withdraw consent, delete the account) and the public
notices. Each view shows the signed-in person only their own data (portal.mfa RESIDENT_ROUTES)."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.privacy import services
from portal.privacy.forms import DeleteAccountForm, ProfileForm
from portal.privacy.models import CollectionPoint, PrivacyNotice


@never_cache
@login_required
def my_data(request):
    sections = services.export_sections(request.user)
    return render(
        request,
        "privacy/my_data.html",
        {
            "sections": [(s, len(s.rows)) for s in sections],
            "consents": services.consent_state(request.user),
        },
    )


@never_cache
@login_required
def download(request):
    data = services.export_zip(request.user)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.zip"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details have been corrected."))
        return redirect("privacy:my_data")
    return render(request, "privacy/profile.html", {"form": form})


@never_cache
@login_required
@require_POST
def withdraw(request, point: str):
    if point not in CollectionPoint.values:
        raise Http404
    record = services.withdraw_consent(point, user=request.user)
    if record is None:
        messages.error(request, _("There is no consent to withdraw here."))
    else:
        messages.success(
            request,
            _("Consent withdrawn: %(effect)s") % {"effect": record.notice.withdrawal_effect},
        )
    return redirect("privacy:my_data")


@never_cache
@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """GET: what is erased and what is kept, with each rule's basis. POST (after signing in
    again within the last few minutes): erase."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.erase_account(user)
        return redirect("privacy:account_deleted")
    return render(
        request,
        "privacy/delete_account.html",
        {"form": form, "rules": services.erasure_rules()},
    )


def account_deleted(request):
    return render(request, "privacy/account_deleted.html")


def notice(request, point: str):
    if point not in CollectionPoint.values:
        raise Http404
    version = request.GET.get("version")
    if version and version.isdigit():
        current = get_object_or_404(
            PrivacyNotice, point=point, version=int(version), effective_from__lte=timezone.now()
        )
    else:
        current = services.current_notice(point)
        if current is None:
            raise Http404
    versions = PrivacyNotice.objects.filter(
        point=point, effective_from__lte=timezone.now()
    ).order_by("-version")
    return render(request, "privacy/notice.html", {"notice": current, "versions": versions})
