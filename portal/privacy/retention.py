"""Run the retention purges of every data category (``manage.py privacy_purge``).

Each category (registered through the ``retention_categories`` hook, see
``portal.privacy.registry``) purges in its own transaction through
``portal.audit.retention_purge``, so every run leaves a ``RetentionPurgeRun`` row with the counts
of what it removed (never the data). ``dry_run`` only counts.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from portal.privacy import registry

logger = logging.getLogger(__name__)


def run_purges(
    *, now: dt.datetime | None = None, dry_run: bool = False, only: list[str] | None = None
) -> dict[str, dict[str, int]]:
    """{category key: {table label: rows}} for every category (or those in ``only``)."""
    now = now or timezone.now()
    categories = registry.retention_categories()
    if only:
        unknown = set(only) - {c.key for c in categories}
        if unknown:
            raise KeyError(f"Unknown retention categories: {', '.join(sorted(unknown))}")
        categories = [c for c in categories if c.key in only]
    results: dict[str, dict[str, int]] = {}
    for category in categories:
        counts = dict(category.purge(now=now, dry_run=dry_run))
        results[category.key] = counts
        logger.info(
            "retention %s%s: %s", category.key, " (dry run)" if dry_run else "", counts or "{}"
        )
    return results
