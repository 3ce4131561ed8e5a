"""Signal receivers: points for completing a survey.

The survey app sends ``surveys.signals.response_completed`` with the survey and the signed-in
user only; the award's key is ``survey:<survey id>:<user id>`` and nothing about the response
(its id, its answers, its time) is stored. A failure here never loses the response.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.dispatch import receiver

from portal.privacy.models import CollectionPoint
from portal.privacy.signals import consent_withdrawn
from surveys.signals import response_completed

logger = logging.getLogger(__name__)


@receiver(response_completed, dispatch_uid="learning_award_survey_completion")
def award_survey_completion(sender, *, survey, user, **kwargs):
    if user is None or not getattr(user, "is_authenticated", False):
        return
    from portal.learning import services

    try:
        services.award_survey_completion(survey_id=survey.pk, user=user)
    except DatabaseError:
        logger.exception("Could not award survey-completion points")


@receiver(consent_withdrawn, dispatch_uid="learning_consent_withdrawn")
def learning_consent_withdrawn(sender, *, point, user, **kwargs):
    """The effect the learning notice states: off the leaderboard, nickname and quizzes gone."""
    if point != CollectionPoint.LEARNING:
        return
    from portal.learning.personal_data import withdraw

    withdraw(user)
