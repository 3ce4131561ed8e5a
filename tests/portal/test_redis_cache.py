"""The Redis cache backend (used with REDIS_URL) against the local Redis server."""

from __future__ import annotations

import os
import uuid

import pytest

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    from portal.cache import RedisCache

    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield cache
    cache.clear()


def test_it_behaves_as_a_django_cache(redis_cache):
    redis_cache.set("a", {"x": 1}, 30)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.add("a", "other") is False
    redis_cache.set("n", 1)
    assert redis_cache.incr("n", 5) == 6
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"


def test_one_client_object_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client() is client
    redis_cache.set("k", "v")
    assert redis_cache._cache.get_client(write=True) is client
