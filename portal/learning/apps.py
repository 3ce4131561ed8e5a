from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """学习、问答积分和兑换: the question bank, daily and topic quizzes, the points ledger, rewards."""

    name = "portal.learning"
    label = "learning"
    verbose_name = _("Learning and points")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.learning import policies, receivers  # noqa: F401 - connects the survey signal
        from portal.policies import register_policies

        register_policies(policies.POLICIES)
