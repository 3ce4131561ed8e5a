import pytest
from django.core.cache import cache
from django.utils import translation

from portal.i18n_tools import compile_catalogues


def pytest_configure(config):
    # The suite checks translated pages, so the .mo files must match the .po files under test.
    compile_catalogues()


@pytest.fixture(autouse=True)
def _clear_sms_outbox():
    from portal.sms import MemorySmsSender

    MemorySmsSender.outbox.clear()
    yield
    MemorySmsSender.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, cached pages and structures live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _chinese_interface():
    """The interface language of every test is zh-hans, whatever an earlier test in this thread
    activated (a request to /en/ leaves English active; reverse() would then build /en/ URLs)."""
    with translation.override("zh-hans"):
        yield
