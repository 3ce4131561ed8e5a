"""Signal receivers of the shell: reference tables cached in each process are dropped on change;
enrolling TOTP counts as the session's two-factor step (portal.mfa)."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_added
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portal import mfa, process_cache, workdays
from portal.models import ADDRESS_PREFIXES_CACHE


@receiver(post_save, sender="portal.WorkdayOverride")
@receiver(post_delete, sender="portal.WorkdayOverride")
@receiver(post_save, sender="portal.HolidayCalendarYear")
@receiver(post_delete, sender="portal.HolidayCalendarYear")
def calendar_changed(sender, **kwargs):
    process_cache.bump(workdays.CACHE_NAME)


@receiver(post_save, sender="portal.PortalSettings")
@receiver(post_delete, sender="portal.PortalSettings")
def portal_settings_changed(sender, **kwargs):
    process_cache.bump(ADDRESS_PREFIXES_CACHE)


authenticator_added.connect(mfa.record_enrolment_as_step, dispatch_uid="portal_mfa_enrolment")
