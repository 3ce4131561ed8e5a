"""Who may do what with redemptions: the pickup desk and the participation statistics.

The desk (look up a pickup code, hand a reward over or cancel it and return the points) and the
statistics (aggregates of quizzes, points and redemptions) are granted explicitly, to editors,
analysts (statistics only) and administrators; superuser status alone is not a role
(portal.policies).
"""

from __future__ import annotations

from portal.learning.models import Redemption
from portal.policies import ExplicitPermissionPolicy


class RedemptionPolicy(ExplicitPermissionPolicy):
    permissions = {
        "desk": "learning.change_redemption",
        "hand_over": "learning.change_redemption",
        "view_statistics": "learning.view_learning_statistics",
    }


redemption_policy = RedemptionPolicy(Redemption)

POLICIES = (redemption_policy,)
