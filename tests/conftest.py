import pytest
from django.core.cache import cache
from django.utils import translation

from portal.i18n_tools import compile_catalogues


def pytest_configure(config):
    # The suite checks translated pages, so the .mo files must match the .po files under test.
    compile_catalogues(stale_only=True)


#: Fixtures that give a test the database (pytest-django refuses database access to any other).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_collection_modifyitems(config, items):
    """``PORTAL_DATABASE_TESTS_ONLY=1`` (the PostgreSQL leg of ``make test-postgres``): only the
    tests that use the database. A test without the marker or a database fixture cannot reach
    the database (pytest-django blocks it), so it cannot depend on which one is configured; it
    already ran in the SQLite leg."""
    import os

    if os.environ.get("PORTAL_DATABASE_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        (keep if uses_database(item) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


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


# --- Personas (tests/factories.py defines them; app conftests may still carry older copies) ---


def _persona_fixture(name):
    @pytest.fixture
    def _fixture(db):
        from tests.factories import create_persona

        return create_persona(name)

    _fixture.__name__ = name
    _fixture.__doc__ = f"The {name.replace('_', ' ')} persona (tests.factories.create_persona)."
    return _fixture


resident = _persona_fixture("resident")
editor = _persona_fixture("editor")
disclosure_officer = _persona_fixture("disclosure_officer")
intake = _persona_fixture("intake")
handler_a = _persona_fixture("handler_a")
handler_b = _persona_fixture("handler_b")
analyst = _persona_fixture("analyst")
administrator = _persona_fixture("administrator")
enterprise = _persona_fixture("enterprise")


@pytest.fixture
def personas(db):
    """Every persona by name, ``anonymous`` as None."""
    from tests.factories import create_personas

    return create_personas()
