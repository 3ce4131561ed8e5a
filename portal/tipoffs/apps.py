from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipoffsConfig(AppConfig):
    """环境污染举报: pollution reports, their handling against deadlines, the public outcomes."""

    name = "portal.tipoffs"
    label = "tipoffs"
    verbose_name = _("Pollution reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers, and the notification rules and recipient kinds (portal.notifications).
        from portal.tipoffs import notifications, rights, signals  # noqa: F401
