"""Signal receivers of the shell: reference tables cached in each process are dropped on change."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import process_cache, workdays


@receiver(post_save, sender="portal.WorkdayOverride")
@receiver(post_delete, sender="portal.WorkdayOverride")
@receiver(post_save, sender="portal.HolidayCalendarYear")
@receiver(post_delete, sender="portal.HolidayCalendarYear")
def calendar_changed(sender, **kwargs):
    process_cache.bump(workdays.CACHE_NAME)
