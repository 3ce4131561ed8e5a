"""The default Wagtail Site names the real host: hostname and port come from PORTAL_BASE_URL.

Wagtail builds absolute URLs (sitemap, feeds, full URLs in emails) from the Site row, whose
initial migration says ``localhost:80``. ``sync_default_site`` sets it from the setting; it runs
after every ``migrate`` (post_migrate), in ``seed_reference`` and in ``seed_demo``.
Wagtail derives the scheme from the port: 443 is https, 80 is http, any other port is http.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

logger = logging.getLogger(__name__)


def base_url_address(base_url: str | None = None) -> tuple[str, int]:
    """(hostname, port) of PORTAL_BASE_URL; the port defaults to the scheme's."""
    parts = urlsplit(base_url or settings.PORTAL_BASE_URL)
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def sync_default_site(*, using: str = DEFAULT_DB_ALIAS):
    """Point the default Site at PORTAL_BASE_URL's host and port; returns the Site or None."""
    from wagtail.models import Site

    hostname, port = base_url_address()
    sites = Site.objects.using(using)
    site = sites.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (hostname, port):
        return site
    if sites.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists():
        logger.warning(
            "Another Site already uses %s:%s; the default site keeps %s:%s.",
            hostname,
            port,
            site.hostname,
            site.port,
        )
        return site
    site.hostname, site.port = hostname, port
    try:
        with transaction.atomic(using=using):
            site.save(using=using, update_fields=["hostname", "port"])
    except DatabaseError:
        # The receivers of the save clear cached URLs; with the database cache, its table does
        # not exist before `createcachetable`, and then nothing is cached either.
        sites.filter(pk=site.pk).update(hostname=hostname, port=port)
    logger.info("Default site set to %s:%s from PORTAL_BASE_URL.", hostname, port)
    return site


def sync_default_site_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver; does nothing while Wagtail's tables are not there yet."""
    from wagtail.models import Site

    if Site._meta.db_table not in connections[using].introspection.table_names():
        return
    sync_default_site(using=using)
