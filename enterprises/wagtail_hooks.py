"""Register enterprise disclosure: the bureau's screens (inside 信息公开, enterprise accounts included, with their audit entries), the enterprises' part of the disclosure rate, and the links from 信息公开 and the tip-off form."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from enterprises import accounts, lookup, selectors, services
from enterprises.viewsets import EnterpriseAccountsViewSet, EnterpriseViewSet, SupervisionViewSet
from portal.integration import MeSection, RatePart

register_snippet(EnterpriseViewSet)


@hooks.register("register_admin_viewset")
def register_supervision():
    return SupervisionViewSet()


@hooks.register("register_admin_viewset")
def register_accounts():
    return EnterpriseAccountsViewSet()


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    """The audit entries of enterprise accounts, shown in the enterprise's history."""
    for action, formatter in accounts.LOG_FORMATTERS.items():
        actions.register_action(action)(formatter)
    actions.register_action(services.LOG_TOKEN_REVOKE)(services.TokenRevokeFormatter)


@hooks.register("disclosure_rate_parts")
def enterprise_rate_part(as_of):
    found = selectors.indicator_part(as_of=as_of)
    if found is None:
        return None
    year, result = found
    return RatePart("enterprises", _("Enterprise disclosure"), year, result.due, result.on_time)


@hooks.register("portal_section_links")
def section_links(section, request):
    if section == "disclosure":
        return [
            (
                _("Enterprise disclosure"),
                reverse("enterprises:index"),
                (
                    "enterprises:index",
                    "enterprises:detail",
                    "enterprises:report",
                    "enterprises:report_version",
                    "enterprises:monitoring",
                ),
            )
        ]
    if section == "tipoffs":
        return [
            (
                _(
                    "Reporting a factory? See its environmental disclosures and monitoring data first"
                ),
                reverse("enterprises:index"),
                (),
            )
        ]
    return []


@hooks.register("portal_me_sections")
def filing_section(request):
    if not selectors.filing_enterprises(request.user).exists():
        return None
    return MeSection(
        title=_("Enterprise disclosure"),
        links=[(_("File reports for my enterprise"), reverse("enterprises:filing_home"))],
        order=20,
    )


@hooks.register("tipoff_form_aids")
def tipoff_form_aid(request, *, party="", address=""):
    """Under the tip-off form's "unit or factory" field (and on the staff case page): the
    matching enterprises of the public list with their latest disclosures."""
    return lookup.form_aid(request, party=party, address=address)


@hooks.register("personal_data_providers")
def personal_data_provider():
    from enterprises import personal_data

    return personal_data.provider()
