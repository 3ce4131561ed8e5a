import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from portal import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_after_migrate():
    assert set(
        Group.objects.filter(name__in=roles.ALL_ROLES).values_list("name", flat=True)
    ) == set(roles.ALL_ROLES)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_every_role_may_open_the_admin(role):
    user = UserFactory(roles=[role])
    assert roles.can_access_admin(user)


def test_a_resident_may_not_open_the_admin():
    assert not roles.can_access_admin(UserFactory())


def test_editors_draft_pages_but_do_not_publish():
    editor = Group.objects.get(name=roles.EDITOR)
    codenames = set(
        GroupPagePermission.objects.filter(group=editor).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_page", "change_page"} <= codenames
    assert "publish_page" not in codenames


def test_only_administrators_manage_reference_data_and_users():
    admin = UserFactory(roles=[roles.ADMINISTRATOR])
    editor = UserFactory(roles=[roles.EDITOR])
    for perm in ("portal.change_department", "portal.add_subdistrict", "portal.change_user"):
        assert admin.has_perm(perm)
        assert not editor.has_perm(perm)


def test_has_role_is_false_for_anonymous_and_other_roles():
    from django.contrib.auth.models import AnonymousUser

    analyst = UserFactory(roles=[roles.ANALYST])
    assert roles.has_role(analyst, roles.ANALYST)
    assert not roles.has_role(analyst, roles.EDITOR)
    assert not roles.has_role(AnonymousUser(), roles.ANALYST)
