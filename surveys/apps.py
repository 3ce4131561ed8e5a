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

        from django.db.models.signals import post_save

        from portal.pagecache import invalidate_public_pages

        # A new release changes the public results and indicators 34/35 on cached pages.
        post_save.connect(
            invalidate_public_pages, sender="surveys.SurveyRelease", dispatch_uid="pc-release"
        )
