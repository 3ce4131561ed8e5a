"""Reads of the site's pages for the admin (the editor's start page)."""

from __future__ import annotations

import datetime as dt

from wagtail.models import Page, Revision, TaskState, WorkflowState


def editor_home(*, user, now: dt.datetime, limit: int = 10) -> dict:
    """Workflow tasks the editor may act on, their own pages in review, pages scheduled to go live.

    A constant number of queries: the reviewable tasks (one per task type, then the count), the
    user's active workflows, the scheduled revisions and their pages.
    """
    tasks = TaskState.objects.reviewable_by(user).count()
    in_review = WorkflowState.objects.active().filter(requested_by=user).count()
    revisions = list(
        Revision.objects.page_revisions()
        .filter(approved_go_live_at__gt=now)
        .order_by("approved_go_live_at", "pk")
        .only("object_id", "approved_go_live_at")[:limit]
    )
    pages = Page.objects.in_bulk([int(revision.object_id) for revision in revisions])
    scheduled = [
        {"page": pages[int(revision.object_id)], "go_live_at": revision.approved_go_live_at}
        for revision in revisions
        if int(revision.object_id) in pages
    ]
    return {"tasks": tasks, "in_review": in_review, "scheduled": scheduled}
