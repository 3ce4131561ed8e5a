"""The Redis cache backend used when ``REDIS_URL`` is set.

Two changes to Django's ``RedisCache``:

**One client per pool.** Django's backend builds a new ``redis.Redis`` client object (copying its
~170 response callbacks) for every cache call. The connection pool is shared, so the object is
pure overhead: measured at 0.6–0.9 ms of CPU per survey submission and ~1 ms per pollution report
(see docs/performance.md). This backend keeps one client per connection pool; ``redis.Redis`` is
thread-safe and Django's cache objects are per thread anyway.

**Redis down means no cache, not no site.** Everything kept in the cache can be lost: page and
fragment copies are re-rendered, sessions are ``cached_db`` (the database holds them), structure
and generation keys are rebuilt. So when Redis does not answer, every call behaves as if the
cache were empty and writes went nowhere: ``get`` returns the default, ``add`` reports success,
``set``/``delete`` do nothing, ``incr`` returns ``delta``. A failed call opens a short circuit
(``OUTAGE_SECONDS``) during which this process does not even try Redis, so a request costs no
timeouts while it is down; connect and read timeouts are short for the same reason. Rate limits
therefore **fail open** while Redis is down (every counter reads as zero): refusing every
pollution report or survey answer during a cache outage would be worse than letting a few extra
through, and the outage is logged and alerted (docs/operations.md).
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends import redis as django_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: After a failed call, skip Redis in this process for this many seconds.
OUTAGE_SECONDS = 5.0
#: Defaults for the connection pool (``OPTIONS`` in ``CACHES`` may override them).
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}
FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class PooledRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


def _tolerant(fallback):
    """Run the cache call; on a Redis connection failure return ``fallback(*args, **kwargs)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except FAILURES as error:
                self._trip(error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key, default=None, version=None):
    return default


def _true(*args, **kwargs):
    return True


def _false(*args, **kwargs):
    return False


def _none(*args, **kwargs):
    return None


def _empty(*args, **kwargs):
    return {}


def _delta(key, delta=1, version=None):
    return delta


def _keys(data, *args, **kwargs):
    return []


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        params["OPTIONS"] = {**DEFAULT_OPTIONS, **(params.get("OPTIONS") or {})}
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
        # Per cache object, i.e. per process and thread: no other process needs to see it.
        self._down_until = 0.0

    def _trip(self, error: BaseException) -> None:
        if time.monotonic() >= self._down_until:
            logger.error(
                "Redis cache unavailable (%r); serving without a cache for %ss",
                error,
                OUTAGE_SECONDS,
            )
        self._down_until = time.monotonic() + OUTAGE_SECONDS

    get = _tolerant(_default)(django_redis.RedisCache.get)
    add = _tolerant(_true)(django_redis.RedisCache.add)
    set = _tolerant(_none)(django_redis.RedisCache.set)
    touch = _tolerant(_false)(django_redis.RedisCache.touch)
    delete = _tolerant(_false)(django_redis.RedisCache.delete)
    get_many = _tolerant(_empty)(django_redis.RedisCache.get_many)
    has_key = _tolerant(_false)(django_redis.RedisCache.has_key)
    incr = _tolerant(_delta)(django_redis.RedisCache.incr)
    set_many = _tolerant(_keys)(django_redis.RedisCache.set_many)
    delete_many = _tolerant(_none)(django_redis.RedisCache.delete_many)
    clear = _tolerant(_false)(django_redis.RedisCache.clear)
