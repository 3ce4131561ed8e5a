"""Retention: reporter identities are erased a set number of years after closure."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from portal import audit
from portal.tipoffs.models import PurgeLog, ReporterIdentity, State

logger = logging.getLogger(__name__)


def retention_years() -> int:
    return settings.TIPOFFS_IDENTITY_RETENTION_YEARS


def purge_reporter_identities(*, now: dt.datetime | None = None, dry_run: bool = False) -> int:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=365 * retention_years())
    due = (
        ReporterIdentity.objects.filter(purged_at__isnull=True)
        .filter(
            Q(tipoff__state__in=[State.CLOSED, State.NOT_ACCEPTED], tipoff__closed_at__lte=cutoff)
            | Q(
                tipoff__state=State.MERGED,
                tipoff__master__state=State.CLOSED,
                tipoff__master__closed_at__lte=cutoff,
            )
        )
        .select_related("tipoff")
    )
    if dry_run:
        return due.count()
    count = 0
    # One transaction through the retention escape hatch (portal.audit): the run is recorded in
    # portal.RetentionPurgeRun, each identity in PurgeLog.
    with audit.retention_purge(reason="tipoffs_purge_identities") as run:
        for identity in due.iterator():
            fields = [f for f in ("name", "phone", "email", "user") if getattr(identity, f)]
            identity.name = identity.phone = identity.email = ""
            identity.user = None
            identity.purged_at = now
            identity.save(update_fields=["name", "phone", "email", "user", "purged_at"])
            PurgeLog.objects.create(
                tipoff_id_value=identity.tipoff_id,
                reference=identity.tipoff.reference,
                purged_at=now,
                closed_at=identity.tipoff.closed_at,
                fields=",".join(fields),
            )
            count += 1
        run.add("tipoffs.reporteridentity", count)
    logger.info("Purged %s reporter identities closed before %s", count, cutoff.date())
    return count
