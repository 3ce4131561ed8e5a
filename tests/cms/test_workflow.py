"""The column's three-step review (编辑提交 → 审核 → 终审发布), rights and scheduled publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageLogEntry, WorkflowState

from cms.models import ColumnArticlePage, ColumnIndexPage
from cms.workflow import COLUMN_WORKFLOW_NAME, COLUMN_WORKFLOW_STEPS
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


@pytest.fixture
def administrator():
    return UserFactory(username="admin-carol", roles=[roles.ADMINISTRATOR])


@pytest.fixture
def resident():
    return UserFactory(username="resident-dave")


def submit(article, user) -> WorkflowState:
    workflow = article.get_workflow()
    article.save_revision(user=user)
    return workflow.start(article, user)


def test_the_migration_creates_the_three_step_workflow():
    from wagtail.models import Workflow

    workflow = Workflow.objects.get(name=COLUMN_WORKFLOW_NAME)
    tasks = [task.specific for task in workflow.tasks]
    assert [t.name for t in tasks] == ["编辑提交", "审核", "终审发布"]
    for task, (_name, groups) in zip(tasks, COLUMN_WORKFLOW_STEPS, strict=True):
        assert sorted(task.groups.values_list("name", flat=True)) == sorted(groups)


def test_a_new_column_is_put_under_the_workflow(column):
    assert column.get_workflow().name == COLUMN_WORKFLOW_NAME


def test_a_column_created_in_the_admin_way_gets_the_workflow(home):
    column = ColumnIndexPage(title="另一个专栏", slug="other-column")
    home.add_child(instance=column)
    assert column.get_workflow().name == COLUMN_WORKFLOW_NAME


def test_editors_may_draft_but_not_publish_and_manage_categories(column, editor):
    article = make_article(column, live=False, user=editor)
    perms = article.permissions_for_user(editor)
    assert perms.can_edit()
    assert not perms.can_publish()
    assert editor.has_perm("cms.add_columncategory")
    assert editor.has_perm("cms.change_columncategory")
    assert not editor.has_perm("cms.delete_columncategory")


def test_an_editors_submission_is_not_public_until_all_three_steps_approve(
    column, editor, second_editor, administrator, client
):
    article = make_article(column, title="待审核的文章", live=False, user=editor)
    state = submit(article, editor)
    article.refresh_from_db()
    assert not article.live
    assert client.get(column.url).content.decode().count("待审核的文章") == 0

    # Step 1 (编辑提交): another editor approves; an administrator-only step is not theirs.
    task_state = state.current_task_state
    assert task_state.task.name == "编辑提交"
    task_state.approve(user=second_editor)
    state.refresh_from_db()
    article.refresh_from_db()
    assert not article.live

    # Step 2 (审核): editors cannot act on it.
    task = state.current_task_state.task.specific
    assert task.name == "审核"
    assert task.get_actions(article, second_editor) == []
    assert task.get_actions(article, administrator)
    state.current_task_state.approve(user=administrator)
    state.refresh_from_db()
    article.refresh_from_db()
    assert not article.live

    # Step 3 (终审发布) publishes.
    assert state.current_task_state.task.name == "终审发布"
    state.current_task_state.approve(user=administrator)
    state.refresh_from_db()
    article.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert article.live
    assert "待审核的文章" in client.get(column.url).content.decode()
    actions = set(PageLogEntry.objects.filter(page=article).values_list("action", flat=True))
    assert {"wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"} <= actions


def test_a_rejection_returns_the_article_to_its_editor(column, editor, administrator):
    article = make_article(column, title="需要修改的文章", live=False, user=editor)
    state = submit(article, editor)
    state.current_task_state.approve(user=editor)
    state.refresh_from_db()
    state.current_task_state.reject(user=administrator, comment="请补充数据来源")
    state.refresh_from_db()
    article.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not article.live
    assert article.permissions_for_user(editor).can_edit()
    # The editor revises and resubmits: the workflow starts again from the first step.
    state.resume(user=editor)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_IN_PROGRESS


def test_revisions_are_kept(column, editor):
    article = make_article(column, live=False, user=editor)
    article.title = "改过的标题"
    article.save_revision(user=editor)
    assert article.revisions.count() == 2


def test_a_scheduled_article_appears_only_after_its_time(column, client, monkeypatch):
    article = make_article(column, title="定时发布的文章", live=False)
    go_live = timezone.now() + timedelta(hours=2)
    article.go_live_at = go_live
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live
    call_command("publish_scheduled")
    assert not ColumnArticlePage.objects.get(pk=article.pk).live

    later = go_live + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("publish_scheduled")
    assert ColumnArticlePage.objects.get(pk=article.pk).live
    assert "定时发布的文章" in client.get(column.url).content.decode()


def test_a_resident_cannot_open_the_admin_or_see_drafts(column, resident, client):
    article = make_article(column, title="内部草稿", live=False)
    client.force_login(resident)
    assert client.get(f"/admin/pages/{article.pk}/edit/").status_code in (302, 403)
    assert client.get(article.url or f"/column/{article.slug}/").status_code == 404


def test_an_editor_takes_an_article_through_the_three_steps_in_the_admin(
    column, editor, second_editor, administrator, client
):
    """The same journey through the admin's own views: the edit form's "submit for moderation"
    and the workflow action endpoint, with each step's permissions checked by the server."""
    from django.urls import reverse
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    from tests.cms.conftest import category

    article = make_article(column, title="后台送审的文章", live=False, user=editor)
    client.force_login(editor)
    data = nested_form_data(
        {
            "title": "后台送审的文章",
            "slug": article.slug,
            "summary": "摘要。",
            "date": "2025-05-01",
            "category": category("quality").pk,
            "source": "东区生态环境局",
            "author": "",
            "tags": "",
            "body": streamfield([("paragraph", rich_text("<p>正文。</p>"))]),
            "action-submit": "Submit",
        }
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    state = WorkflowState.objects.get(base_content_type__isnull=False, object_id=str(article.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    def act(user, action="approve"):
        client.force_login(user)
        task_state = WorkflowState.objects.get(pk=state.pk).current_task_state
        url = reverse(
            "wagtailadmin_pages:workflow_action", args=[article.pk, action, task_state.pk]
        )
        return client.post(url, {"comment": ""})

    def current_step():
        return WorkflowState.objects.get(pk=state.pk).current_task_state.task.name

    assert current_step() == "编辑提交"
    assert act(second_editor).status_code == 302
    assert current_step() == "审核"
    # Not an editor's step: refused (the admin turns PermissionDenied into a redirect home).
    refused = act(second_editor)
    assert refused.status_code == 403 or refused.url == reverse("wagtailadmin_home")
    assert current_step() == "审核"
    assert act(administrator).status_code == 302
    assert current_step() == "终审发布"
    assert not ColumnArticlePage.objects.get(pk=article.pk).live
    assert act(administrator).status_code == 302
    assert WorkflowState.objects.get(pk=state.pk).status == WorkflowState.STATUS_APPROVED
    assert ColumnArticlePage.objects.get(pk=article.pk).live
