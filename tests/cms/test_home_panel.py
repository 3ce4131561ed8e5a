"""The editor's start page: workflow tasks, their pages in review, scheduled pages; the explorer
opens at the site's home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms import selectors
from portal import roles
from tests.cms.conftest import make_article
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return UserFactory(username="editor-alice", roles=[roles.EDITOR])


@pytest.fixture
def second_editor():
    return UserFactory(username="editor-bob", roles=[roles.EDITOR])


def submit(article, user):
    article.save_revision(user=user)
    return article.get_workflow().start(article, user)


def test_an_editor_sees_the_workflow_tasks_waiting_for_them(
    column, editor, second_editor, client, django_assert_max_num_queries
):
    submit(make_article(column, title="待审稿件"), second_editor)
    now = timezone.now()
    scheduled = make_article(column, title="定时稿件")
    revision = scheduled.save_revision(user=editor)
    revision.approved_go_live_at = now + dt.timedelta(days=2)
    revision.save()

    data = selectors.editor_home(user=editor, now=now)
    assert data["tasks"] == 1
    assert [row["page"].pk for row in data["scheduled"]] == [scheduled.pk]
    assert selectors.editor_home(user=second_editor, now=now)["in_review"] == 1

    client.force_login(editor)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-testid="home-editor"' in html
    assert (
        f'href="{reverse("wagtailadmin_reports:workflow_tasks")}" data-count="tasks"><strong>1</strong>'
        in html
    )
    assert "定时稿件" in html
    assert 'data-testid="home-intake"' not in html


def test_the_editors_explorer_opens_at_the_site_home_page(home, editor):
    start = PagePermissionPolicy().explorable_root_instance(editor)
    assert start.pk == home.pk
