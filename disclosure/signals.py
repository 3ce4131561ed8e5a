"""Signal receivers: versions on publish, catalogue cache drops, denormalised project progress."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from disclosure.models import DisclosureIndexPage, DisclosureItemPage, KeyProject, ProjectProgress
from disclosure.selectors import facets_cache_key
from disclosure.services import item_record_version, project_refresh_latest
from portal.pagecache import invalidate_public_pages

#: Data shown on the public disclosure pages (catalogue, dashboards, projects, annual report):
#: any change re-renders the cached pages (portal/pagecache.py).
PUBLIC_DATA_MODELS = (
    "disclosure.DisclosureCategory",
    "disclosure.DisclosureItemAttachment",
    "disclosure.DisclosureItemVersion",
    "disclosure.DisclosurePlan",
    "disclosure.DisclosurePlanEntry",
    "disclosure.Indicator",
    "disclosure.IndicatorReading",
    "disclosure.ProjectSystem",
    "disclosure.KeyProject",
    "disclosure.ProjectProgress",
    "disclosure.ProjectProgressPhoto",
    "disclosure.AnnualReportInputs",
    "disclosure.DisclosureSettings",
)
for _model in PUBLIC_DATA_MODELS:
    post_save.connect(invalidate_public_pages, sender=_model, dispatch_uid=f"pc-save-{_model}")
    post_delete.connect(invalidate_public_pages, sender=_model, dispatch_uid=f"pc-del-{_model}")


@receiver(page_published, sender=DisclosureItemPage)
def record_version_on_publish(sender, instance, revision=None, user=None, **kwargs):
    item_record_version(item=instance, user=user, revision=revision)
    _drop_facets(instance)


@receiver(page_unpublished, sender=DisclosureItemPage)
def drop_facets_on_unpublish(sender, instance, **kwargs):
    _drop_facets(instance)


def _drop_facets(item) -> None:
    parent_id = item.get_parent().pk if item.depth > 1 else None
    if parent_id is not None:
        cache.delete(facets_cache_key(parent_id))


@receiver(post_delete, sender=DisclosureItemPage)
@receiver(post_save, sender="wagtailcore.PageViewRestriction")
@receiver(post_delete, sender="wagtailcore.PageViewRestriction")
def drop_all_facets(sender, **kwargs):
    """A deleted item or a changed view restriction: the catalogue's cached totals are stale."""
    cache.delete_many(
        [facets_cache_key(pk) for pk in DisclosureIndexPage.objects.values_list("pk", flat=True)]
    )


@receiver(post_save, sender=ProjectProgress)
@receiver(post_delete, sender=ProjectProgress)
def refresh_project_progress(sender, instance, **kwargs):
    project = KeyProject.objects.filter(pk=instance.project_id).first()
    if project is not None:
        project_refresh_latest(project=project)


@receiver(post_save, sender="disclosure.IndicatorReading")
@receiver(post_delete, sender="disclosure.IndicatorReading")
def drop_snapshot_on_reading_change(sender, instance, **kwargs):
    cache.delete("disclosure:snapshot:5,34,35")  # the home page's default; others expire in 60 s
