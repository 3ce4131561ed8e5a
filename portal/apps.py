from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import signals  # noqa: F401 - connects the receivers
        from portal.spreadsheets import protect_wagtail_exports

        protect_wagtail_exports()
