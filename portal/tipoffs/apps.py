from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipoffsConfig(AppConfig):
    """环境污染举报: pollution reports, their handling against deadlines, the public outcomes."""

    name = "portal.tipoffs"
    label = "tipoffs"
    verbose_name = _("Pollution reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.tipoffs import rights, signals  # noqa: F401 - connects the receivers
