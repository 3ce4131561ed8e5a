"""Register the privacy admin group, the 我的数据 card on 我的, and the shell's own personal
data provider and retention categories (portal.privacy.registry)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.integration import MeSection
from portal.privacy import providers
from portal.privacy.viewsets import PrivacyViewSetGroup

register_snippet(PrivacyViewSetGroup)


@hooks.register("portal_me_sections")
def my_data_section(request):
    if not request.user.is_authenticated:
        return None
    return MeSection(
        title=_("My data"),
        links=[
            (_("See and download my data"), reverse("privacy:my_data")),
            (_("Correct my details"), reverse("privacy:profile")),
            (_("Delete my account"), reverse("privacy:delete_account")),
        ],
        order=900,
    )


@hooks.register("personal_data_providers")
def personal_data_provider():
    return providers.provider()


@hooks.register("retention_categories")
def retention_categories():
    return providers.retention_categories()
