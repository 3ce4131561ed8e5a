from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Satisfaction and participation surveys, weighting and rates (indicators 34 and 35)."""

    name = "surveys"
    verbose_name = _("Surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.policies import register_policies
        from surveys import policies

        register_policies(policies.POLICIES)
