"""The Redis cache backend used when ``REDIS_URL`` is set.

Django's ``RedisCache`` builds a new ``redis.Redis`` client object (copying its ~170 response
callbacks) for every cache call. The connection pool is shared, so the object is pure overhead:
measured at 0.6–0.9 ms of CPU per survey submission and ~1 ms per pollution report (see
docs/performance.md). This backend keeps one client per connection pool; ``redis.Redis`` is
thread-safe and Django's cache objects are per thread anyway.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


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


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
