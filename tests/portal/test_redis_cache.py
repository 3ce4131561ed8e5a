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


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_stopped_redis_means_no_cache_not_an_error():
    """Redis down: reads miss, writes go nowhere, rate-limit counters read as zero (fail open)."""
    import time

    from portal.cache import RedisCache

    cache = RedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {})
    assert cache.get("page", "miss") == "miss"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("counter", 1, 60) is True  # first hit of a window: allowed
    assert cache.incr("counter") == 1
    assert cache.set("k", "v") is None
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    # The circuit is open: later calls do not even try to connect.
    started = time.monotonic()
    for _ in range(100):
        cache.get("page")
    assert time.monotonic() - started < 0.5
