"""Signal receivers: page-cache invalidation and the column workflow assignment."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.models import ColumnCategory, ColumnIndexPage
from cms.workflow import assign_column_workflow
from portal.models import PortalSettings
from portal.pagecache import invalidate_public_pages


def _on_page_saved(sender, instance, created, **kwargs):
    if created and isinstance(instance, ColumnIndexPage):
        assign_column_workflow(instance)


def _on_settings_saved(sender, instance, created, **kwargs):
    # Site settings are created with their defaults on first read; only edits change pages.
    if not created:
        invalidate_public_pages()


def connect() -> None:
    page_published.connect(invalidate_public_pages, dispatch_uid="cms-invalidate-published")
    page_unpublished.connect(invalidate_public_pages, dispatch_uid="cms-invalidate-unpublished")
    post_page_move.connect(invalidate_public_pages, dispatch_uid="cms-invalidate-moved")
    post_delete.connect(invalidate_public_pages, sender=Page, dispatch_uid="cms-invalidate-deleted")
    post_save.connect(_on_settings_saved, sender=PortalSettings, dispatch_uid="cms-invalidate-ps")
    post_delete.connect(invalidate_public_pages, sender=PortalSettings, dispatch_uid="cms-del-ps")
    # A view restriction added to a page must take its public copies out of every cache.
    for model in (ColumnCategory, Site, PageViewRestriction):
        post_save.connect(
            invalidate_public_pages, sender=model, dispatch_uid=f"cms-invalidate-{model.__name__}"
        )
        post_delete.connect(
            invalidate_public_pages,
            sender=model,
            dispatch_uid=f"cms-invalidate-del-{model.__name__}",
        )
    post_save.connect(_on_page_saved, sender=ColumnIndexPage, dispatch_uid="cms-column-workflow")
