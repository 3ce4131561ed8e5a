"""Signal receivers of the tip-off app: per-process copies of the categories are dropped on change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import process_cache
from portal.tipoffs.forms import CATEGORIES_CACHE


@receiver(post_save, sender="tipoffs.Category")
@receiver(post_delete, sender="tipoffs.Category")
def categories_changed(sender, **kwargs):
    process_cache.bump(CATEGORIES_CACHE)
