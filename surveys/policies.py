"""Who may do what with survey data and releases: one permission policy per guarded model.

- ``survey_data_policy`` (``Response``, the raw answers; the permissions are declared on
  ``Survey``): read responses and fieldwork progress, manage fieldwork (tokens, imports, review,
  margins), analyse (the weighted dashboard and the exports). Building questionnaires is
  Wagtail's own model permissions on ``Survey`` (its snippet ViewSet), not this policy;
- ``release_policy`` (``SurveyRelease``): read frozen releases, download their files (they include
  the responses snapshot), publish a new release.

Explicit grants only (the analyst or administrator group, or the permission on the account);
superuser status alone is not a role (portal.policies).
"""

from __future__ import annotations

from portal.policies import ExplicitPermissionPolicy
from surveys.models import Response, SurveyRelease


class SurveyDataPolicy(ExplicitPermissionPolicy):
    permissions = {
        "view_responses": "surveys.view_responses",
        "manage_fieldwork": "surveys.manage_fieldwork",
        "analyse": "surveys.view_responses",
    }


class SurveyReleasePolicy(ExplicitPermissionPolicy):
    permissions = {
        "view": "surveys.view_responses",
        "download": "surveys.view_responses",
        "publish": "surveys.manage_fieldwork",
    }


survey_data_policy = SurveyDataPolicy(Response)
release_policy = SurveyReleasePolicy(SurveyRelease)

POLICIES = (survey_data_policy, release_policy)
