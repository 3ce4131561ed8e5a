import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from cms.models import HomePage
from portal.models import Department, DepartmentMembership, Subdistrict, User

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Subdistrict.objects.count(),
        Department.objects.count(),
        DepartmentMembership.objects.count(),
        Page.objects.count(),
        Site.objects.count(),
    )


def test_seed_demo_is_idempotent_and_force_overrides_the_refusal(settings):
    # One test for both (each seeding takes the better part of a minute): the first run with
    # DEBUG off and --force, the second an ordinary one that must change nothing.
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    first = counts()
    settings.DEBUG = True
    call_command("seed_demo")
    assert counts() == first
    assert Subdistrict.objects.count() == 6
    assert set(Subdistrict.objects.values_list("name", flat=True)) >= {"东华街道", "银江镇"}
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    menu = [page.slug for page in site.root_page.get_children().in_menu()]
    assert menu == ["column", "disclosure", "surveys", "report"]
    assert User.objects.filter(
        username="handler", department_memberships__department__code="eco-env"
    ).exists()


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
    assert not User.objects.exists()
