"""The object storage backend: django-storages' ``S3Storage`` with bounded waits.

botocore waits up to 60 seconds to connect and 60 more for each read, and by default tries five
times: an object store that accepts connections but does not answer (a hung MinIO, a network
partition that drops packets) would hold a web request for minutes, far beyond gunicorn's
``--timeout 60``, and the resident would get nginx's 502 instead of the portal's 503 page
(portal.unavailable) saying that nothing was saved. The settings bound each wait and the number
of attempts (``PORTAL_S3_CONNECT_TIMEOUT``, ``PORTAL_S3_READ_TIMEOUT``,
``PORTAL_S3_MAX_ATTEMPTS``; botocore's "standard" retry mode): with the defaults a hung store is
given up after about 3 × 10 s.

Loaded only when ``PORTAL_STORAGE=s3`` names it in ``STORAGES``.
"""

from __future__ import annotations

from botocore.config import Config
from storages.backends.s3 import S3Storage as BaseS3Storage


class S3Storage(BaseS3Storage):
    def __init__(
        self,
        *,
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        max_attempts: int | None = None,
        **options,
    ):
        super().__init__(**options)
        bounds: dict = {
            name: value
            for name, value in (
                ("connect_timeout", connect_timeout),
                ("read_timeout", read_timeout),
            )
            if value is not None
        }
        if max_attempts is not None:
            bounds["retries"] = {"mode": "standard", "total_max_attempts": max_attempts}
        if bounds:  # on top of the config built from addressing_style and signature_version
            self.client_config = self.client_config.merge(Config(**bounds))
