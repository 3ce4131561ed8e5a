from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    """生态环境信息公开: disclosure catalogue, indicators, key projects, requests, annual report."""

    name = "disclosure"
    verbose_name = _("Information disclosure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from disclosure import policies, signals  # noqa: F401
        from portal.policies import register_policies

        register_policies(policies.POLICIES)
