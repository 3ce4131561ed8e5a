"""Who may handle personal-information requests, edit notices and read the privacy logs.

The responsible officer's work (requests from people without an account, their 15-working-day
clock and event log) is ``handle``; editing the notices shown at the collection points is
``edit_notices``. Both are explicit permissions held by the administrators' group (superuser
status alone is not a role, portal.policies).
"""

from __future__ import annotations

from portal.policies import ExplicitPermissionPolicy
from portal.privacy.models import PrivacyNotice, SubjectRequest


class SubjectRequestPolicy(ExplicitPermissionPolicy):
    permissions = {
        "handle": "privacy.handle_subjectrequest",
        "view": "privacy.handle_subjectrequest",
        "add": "privacy.handle_subjectrequest",
        "change": "privacy.handle_subjectrequest",
    }


class NoticePolicy(ExplicitPermissionPolicy):
    permissions = {
        "edit_notices": "privacy.change_privacynotice",
        "view": "privacy.change_privacynotice",
        "add": "privacy.add_privacynotice",
        "change": "privacy.change_privacynotice",
    }


subject_request_policy = SubjectRequestPolicy(SubjectRequest)
notice_policy = NoticePolicy(PrivacyNotice)

POLICIES = (subject_request_policy, notice_policy)
