"""The admin menu: at most six top-level entries for every staff role, one group per app, and
every staff screen still reachable from the menu of the role that works in it (issue 15, part 2).
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from wagtail.admin.menu import admin_menu

from tests.factories import PASSWORD, STAFF_PERSONAS, create_persona

MAX_TOP_LEVEL = 6


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def top_level(user) -> list:
    return admin_menu.menu_items_for_request(_request_as(user))


def menu_urls(user) -> set[str]:
    """Every URL reachable from the menu, at any depth."""
    request = _request_as(user)
    urls = set()

    def walk(items):
        for item in items:
            if hasattr(item, "menu"):
                walk(item.menu.menu_items_for_request(request))
            else:
                urls.add(item.url)

    walk(top_level(user))
    return urls


@pytest.mark.parametrize("persona", sorted(STAFF_PERSONAS))
def test_no_staff_role_sees_more_than_six_top_level_entries(db, persona):
    items = top_level(create_persona(persona))
    assert len(items) <= MAX_TOP_LEVEL, [item.name for item in items]


@pytest.mark.parametrize("persona", sorted(STAFF_PERSONAS))
def test_each_app_has_at_most_one_top_level_entry(db, persona):
    names = {item.name for item in top_level(create_persona(persona))}
    assert names <= {"explorer", "tipoffs", "disclosure", "surveys", "learning", "site", "help"}


@pytest.mark.parametrize(
    ("persona", "url_names"),
    [
        ("intake", ["tipoffs_admin:index", "tipoffs_admin:rewards"]),
        ("handler_a", ["tipoffs_admin:index"]),
        ("disclosure_officer", ["disclosure_admin:queue", "enterprise_accounts_admin:index"]),
        ("analyst", ["surveys_admin:index", "learning_admin:statistics"]),
        (
            "editor",
            ["learning_admin:desk", "wagtailsnippets_cms_columncategory:list"],
        ),
        (
            "administrator",
            [
                "wagtailimages:index",
                "wagtailusers_users:index",
                "wagtailsnippets_portal_department:list",
                "wagtailsnippets_tipoffs_category:list",
                "wagtailsnippets_surveys_survey:list",
                "wagtailsnippets_disclosure_indicator:list",
                "wagtailsnippets_learning_question:list",
            ],
        ),
    ],
)
def test_each_role_reaches_its_screens_from_the_menu(db, persona, url_names):
    urls = menu_urls(create_persona(persona))
    for url_name in url_names:
        assert reverse(url_name) in urls, url_name


@pytest.mark.parametrize(
    ("persona", "hidden"),
    [
        ("handler_a", ["tipoffs_admin:rewards", "surveys_admin:index", "disclosure_admin:queue"]),
        ("analyst", ["tipoffs_admin:index", "learning_admin:desk", "disclosure_admin:queue"]),
        (
            "editor",
            ["tipoffs_admin:index", "surveys_admin:index", "enterprise_accounts_admin:index"],
        ),
    ],
)
def test_the_menu_hides_screens_the_role_cannot_open(db, persona, hidden):
    urls = menu_urls(create_persona(persona))
    for url_name in hidden:
        assert reverse(url_name) not in urls, url_name


def test_the_site_entry_groups_wagtails_own_entries(db):
    names = {item.name for item in top_level(create_persona("administrator"))}
    assert "site" in names
    assert not names & {"images", "documents", "reports", "settings", "reference_data"}


def test_a_single_site_wide_entry_stays_at_the_top_level(db):
    # The handler sees only Help: a folder holding one entry would just add a click.
    names = [item.name for item in top_level(create_persona("handler_a"))]
    assert "site" not in names and "help" in names


def test_the_grouped_menu_renders_on_the_admin_home(client, db):
    user = create_persona("intake")
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert reverse("tipoffs_admin:index") in response.content.decode()
