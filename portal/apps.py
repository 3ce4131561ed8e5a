from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from portal import signals  # noqa: F401 - connects the receivers
        from portal.sites import sync_default_site_after_migrate

        post_migrate.connect(
            sync_default_site_after_migrate, sender=self, dispatch_uid="portal-sync-default-site"
        )

        from portal.spreadsheets import protect_wagtail_exports

        protect_wagtail_exports()
