from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    """企业环境信息依法披露: the list, enterprise filing, monitoring data and supervision."""

    name = "enterprises"
    verbose_name = _("Enterprise disclosure")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from enterprises import notifications, policies  # noqa: F401
        from portal.policies import register_policies

        register_policies(policies.POLICIES)
