"""One allow/deny matrix per permission policy (issue 15, part 4).

Each matrix is written out by hand — what each persona may do with each action, on a report of
their own department and on another's — and checked against every way the policy answers:
``user_has_permission``, ``user_has_permission_for_instance`` (own and other object),
``instances_user_has_permission_for`` and ``users_with_permission``. The administrator persona is
also a superuser, so every row of it proves that superuser status is not a role.
"""

# The tip-off fixtures are imported from tests/tipoffs/conftest.py and requested by name.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from wagtail.permissions import policy_registry

from disclosure.models import DisclosureRequest
from disclosure.policies import request_policy
from enterprises.policies import enterprise_policy
from portal import roles
from portal.learning.models import Redemption
from portal.learning.policies import redemption_policy
from portal.privacy.models import PrivacyNotice, SubjectRequest
from portal.privacy.policies import notice_policy, subject_request_policy
from portal.tipoffs.models import ReporterIdentity, Tipoff, TipoffAssignment, TipoffPhoto
from portal.tipoffs.policies import identity_policy, photo_policy, tipoff_policy
from surveys.models import Response, SurveyRelease
from surveys.policies import release_policy, survey_data_policy
from tests.factories import (
    PERSONA_NAMES,
    create_persona,
    persona_departments,
    persona_enterprises,
)
from tests.tipoffs.conftest import (  # noqa: F401 - pytest fixtures used by name below
    _calendar_2027,
    _private_storage_in_memory,
    category,
    subdistrict,
    submit,
)

pytestmark = pytest.mark.django_db

ALL = "all"  # the action on any object
OWN = "own"  # only on objects of the persona's department
# (absent: refused on every object)

ALL_POLICIES = (
    tipoff_policy,
    identity_policy,
    photo_policy,
    request_policy,
    survey_data_policy,
    release_policy,
    redemption_policy,
    enterprise_policy,
    subject_request_policy,
    notice_policy,
)


def _user(name):
    return create_persona(name) or AnonymousUser()


def matrix_errors(policy, matrix, persona, actions, own, other) -> list[str]:
    """Every answer of ``policy`` for ``persona`` that differs from ``matrix``, for each action:
    the model-level question, each object, the visible rows and the users with the right."""
    user = _user(persona)
    saved = not own._state.adding
    errors = []
    for action in actions:
        expected = matrix.get(persona, {}).get(action)
        may = expected in (ALL, OWN)
        answers = {
            "user_has_permission": (policy.user_has_permission(user, action), may),
            "own object": (policy.user_has_permission_for_instance(user, action, own), may),
            "other object": (
                policy.user_has_permission_for_instance(user, action, other),
                expected == ALL,
            ),
        }
        if saved:
            visible = set(policy.instances_user_has_permission_for(user, action))
            answers["own object listed"] = (own in visible, may)
            answers["other object listed"] = (other in visible, expected == ALL)
        else:
            listed = not policy.instances_user_has_permission_for(user, action).query.is_empty()
            answers["rows listed"] = (listed, may)
        if user.is_authenticated:
            among = policy.users_with_permission(action).filter(pk=user.pk).exists()
            answers["users_with_permission"] = (among, may and action in policy.permissions)
        errors += [
            f"{persona} {action} {what}: got {got}, expected {want}"
            for what, (got, want) in answers.items()
            if got is not want
        ]
    return errors


# --- tip-offs ------------------------------------------------------------------------------------


@pytest.fixture
def cases(submit):
    """{persona: (a report of their department, a report of another)}; handler_b's are swapped."""
    dept_a, dept_b = persona_departments()
    case_a, case_b = submit(), submit()
    TipoffAssignment.objects.create(tipoff=case_a, department=dept_a, is_lead=True)
    TipoffAssignment.objects.create(tipoff=case_b, department=dept_b, is_lead=True)
    return {
        name: (case_b, case_a) if name == "handler_b" else (case_a, case_b)
        for name in PERSONA_NAMES
    }


TIPOFF_MATRIX = {
    "intake": {
        "view": ALL,
        "view_all": ALL,
        "intake": ALL,
        "export": ALL,
        "view_reward_eligibility": ALL,
        "write": ALL,
    },
    "handler_a": {"view": OWN, "handle": OWN, "write": OWN},
    "handler_b": {"view": OWN, "handle": OWN, "write": OWN},
    "administrator": {"view": ALL, "view_all": ALL, "export": ALL},
}
TIPOFF_ACTIONS = (*tipoff_policy.permissions, "write", "change", "delete")


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_tipoff_policy_matrix(cases, persona):
    own, other = cases[persona]
    assert matrix_errors(tipoff_policy, TIPOFF_MATRIX, persona, TIPOFF_ACTIONS, own, other) == []


IDENTITY_MATRIX = {"intake": {"reveal": ALL}}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_reporter_identity_policy_matrix(cases, persona):
    own, other = cases[persona]
    errors = matrix_errors(
        identity_policy,
        IDENTITY_MATRIX,
        persona,
        ("reveal", "view"),
        ReporterIdentity.objects.get(tipoff=own),
        ReporterIdentity.objects.get(tipoff=other),
    )
    assert errors == []


PHOTO_MATRIX = {"intake": {"view_original": ALL, "approve": ALL}}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_tipoff_photo_policy_matrix(cases, persona):
    own, other = cases[persona]
    errors = matrix_errors(
        photo_policy,
        PHOTO_MATRIX,
        persona,
        ("view_original", "approve", "change"),
        TipoffPhoto(tipoff=own),
        TipoffPhoto(tipoff=other),
    )
    assert errors == []


def test_an_identity_right_needs_the_report_in_scope(cases):
    """The right to reveal, granted to a handler, still stops at their departments' reports."""
    from django.contrib.auth.models import Permission

    handler = create_persona("handler_a")
    handler.user_permissions.add(Permission.objects.get(codename="view_reporter_identity"))
    handler = type(handler).objects.get(pk=handler.pk)
    own, other = cases["handler_a"]
    assert identity_policy.user_has_permission_for_tipoff(handler, "reveal", own)
    assert not identity_policy.user_has_permission_for_tipoff(handler, "reveal", other)


# --- disclosure requests, survey data and releases, redemptions ----------------------------------

REQUEST_MATRIX = {
    "disclosure_officer": {
        "process": ALL,
        "view_identity": ALL,
        "export": ALL,
        "reveal_id_number": ALL,
    },
    "administrator": {"process": ALL, "view_identity": ALL, "export": ALL},
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_disclosure_request_policy_matrix(persona):
    actions = ("process", "view_identity", "export", "reveal_id_number", "delete")
    objects = (DisclosureRequest(), DisclosureRequest())
    assert matrix_errors(request_policy, REQUEST_MATRIX, persona, actions, *objects) == []


SURVEY_DATA_MATRIX = {
    "analyst": {"view_responses": ALL, "manage_fieldwork": ALL, "analyse": ALL},
    "administrator": {"view_responses": ALL, "manage_fieldwork": ALL, "analyse": ALL},
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_survey_data_policy_matrix(persona):
    actions = ("view_responses", "manage_fieldwork", "analyse", "add")
    objects = (Response(), Response())
    assert matrix_errors(survey_data_policy, SURVEY_DATA_MATRIX, persona, actions, *objects) == []


RELEASE_MATRIX = {
    "analyst": {"view": ALL, "download": ALL, "publish": ALL},
    "administrator": {"view": ALL, "download": ALL, "publish": ALL},
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_survey_release_policy_matrix(persona):
    actions = ("view", "download", "publish", "delete")
    objects = (SurveyRelease(), SurveyRelease())
    assert matrix_errors(release_policy, RELEASE_MATRIX, persona, actions, *objects) == []


REDEMPTION_MATRIX = {
    "editor": {"desk": ALL, "hand_over": ALL, "view_statistics": ALL},
    "analyst": {"view_statistics": ALL},
    "administrator": {"desk": ALL, "hand_over": ALL, "view_statistics": ALL},
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_redemption_policy_matrix(persona):
    actions = ("desk", "hand_over", "view_statistics", "delete")
    objects = (Redemption(), Redemption())
    assert matrix_errors(redemption_policy, REDEMPTION_MATRIX, persona, actions, *objects) == []


# --- enterprise disclosure -----------------------------------------------------------------------

ENTERPRISE_MATRIX = {
    "disclosure_officer": {"supervise": ALL, "view": ALL, "add": ALL, "change": ALL},
    "administrator": {"supervise": ALL, "view": ALL, "add": ALL, "change": ALL, "delete": ALL},
    "enterprise": {"file": OWN},
}


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_enterprise_policy_matrix(persona):
    own, other = persona_enterprises()
    actions = ("supervise", "file", "view", "add", "change", "delete", "publish")
    errors = matrix_errors(enterprise_policy, ENTERPRISE_MATRIX, persona, actions, own, other)
    assert errors == []


# --- the table of roles and the registry ---------------------------------------------------------


@pytest.mark.parametrize("policy", ALL_POLICIES, ids=lambda p: p.model_label)
def test_the_migrated_groups_hold_exactly_the_role_table(policy):
    """portal.roles.ROLE_ACTIONS and the data migrations agree, permission by permission."""
    for perm in set(policy.permissions.values()):
        app_label, codename = perm.split(".", 1)
        holding = set(
            Group.objects.filter(
                name__in=roles.ALL_ROLES,
                permissions__content_type__app_label=app_label,
                permissions__codename=codename,
            ).values_list("name", flat=True)
        )
        table = {
            role
            for role in roles.ALL_ROLES
            if any(policy.permission_for(a) == perm for a in roles.role_actions(role, policy))
        }
        assert holding == table, perm


def test_every_action_in_the_role_table_exists_in_its_policy():
    by_label = {policy.model_label: policy for policy in ALL_POLICIES}
    for role, models in roles.ROLE_ACTIONS.items():
        assert role in roles.ALL_ROLES
        for label, actions in models.items():
            for action in actions:
                assert by_label[label].permission_for(action), (role, label, action)


def test_grant_policy_actions_restores_a_role_from_the_table():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    group = Group.objects.get(name=roles.ANALYST)
    group.permissions.clear()
    state_apps = MigrationExecutor(connection).loader.project_state().apps
    roles.grant_policy_actions(state_apps, [survey_data_policy, redemption_policy])
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert held == {
        "surveys.view_responses",
        "surveys.manage_fieldwork",
        "learning.view_learning_statistics",
    }


@pytest.mark.parametrize(
    ("model", "policy"),
    [
        (Tipoff, tipoff_policy),
        (ReporterIdentity, identity_policy),
        (TipoffPhoto, photo_policy),
        (DisclosureRequest, request_policy),
        (Response, survey_data_policy),
        (SurveyRelease, release_policy),
        (Redemption, redemption_policy),
        (SubjectRequest, subject_request_policy),
        (PrivacyNotice, notice_policy),
    ],
)
def test_wagtail_asks_the_same_policy(model, policy):
    assert policy_registry.get_by_type(model) is policy
