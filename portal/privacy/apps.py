from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """个人信息保护: notices and consent, 我的数据 (export, correction, erasure), retention purges,
    masked reveals and requests from people without an account (docs/privacy.md)."""

    name = "portal.privacy"
    label = "privacy"
    verbose_name = _("Personal information")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.policies import register_policies
        from portal.privacy import policies

        register_policies(policies.POLICIES)
