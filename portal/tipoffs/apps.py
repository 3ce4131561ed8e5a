from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipoffsConfig(AppConfig):
    """环境污染举报: pollution reports, their handling against deadlines, the public outcomes."""

    name = "portal.tipoffs"
    label = "tipoffs"
    verbose_name = _("Pollution reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers, the notification rules and recipient kinds (portal.notifications), and the
        # permission policies in Wagtail's registry.
        from portal.policies import register_policies
        from portal.tipoffs import notifications, policies, rights, signals  # noqa: F401

        register_policies(policies.POLICIES)
