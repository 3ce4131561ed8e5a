"""Browser-test harness: pytest-django's live server driven by Playwright in Debian's chromium.

Fixtures
--------
``browser``  one headless chromium per test session (per xdist worker), closed at the end. It
             creates the test database first and hands Django's connections over to the
             Playwright event loop (see the comments in the fixture): ask for it, or ``page``,
             rather than starting Playwright yourself.
``site_url`` the live server's root URL, with the demo site seeded for this test.
``new_page`` a factory: ``new_page(viewport=..., locale=..., is_mobile=...)`` opens a page in a
             fresh browser context (own cookies) whose ``base_url`` is the live server, so tests
             write ``page.goto("/en/")``. Every context is closed when the test ends; a failing
             test leaves a full-page screenshot of each of its pages in ``test-results/``.
``page``       a desktop page (1280x800, zh-CN).
``phone_page`` a phone-sized page (375x740, mobile viewport and touch).

Chromium comes from the distribution (``apt-get install chromium``; ``PORTAL_E2E_CHROMIUM``
names another binary), never ``playwright install``. Without it the e2e tests are skipped, unless
``PORTAL_E2E_REQUIRED=1`` (CI), when they fail instead. Install ``fonts-noto-cjk`` too, or
Chinese text renders as boxes in screenshots.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
PROJECT_DIR = E2E_DIR.parent.parent
RESULTS_DIR = PROJECT_DIR / "test-results"
CHROMIUM = Path(os.environ.get("PORTAL_E2E_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
# Generous: a loaded CI runner (or xdist workers sharing two cores) can take seconds per page.
DEFAULT_TIMEOUT_MS = 30_000
EXPECT_TIMEOUT_MS = 15_000


def _e2e_required() -> bool:
    return os.environ.get("PORTAL_E2E_REQUIRED", "").strip().lower() in {"1", "true", "yes"}


def _missing_chromium_reason() -> str:
    return (
        f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) "
        "to run the browser tests"
    )


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, not only this directory's.
    skip = None
    if not CHROMIUM.exists() and not _e2e_required():
        skip = pytest.mark.skip(reason=_missing_chromium_reason())
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            if skip is not None:
                item.add_marker(skip)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"_e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        # Only reached when PORTAL_E2E_REQUIRED is set; otherwise collection skipped the test.
        pytest.fail(f"PORTAL_E2E_REQUIRED is set but {_missing_chromium_reason()}", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path, django_db_setup):
    from django.db import connections
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an asyncio event loop marked as running in the test thread
    # from here on, which changes two things for Django:
    # - it refuses ORM calls (seeding, the transactional flush) from a thread with a running
    #   loop unless told that this is deliberate. Set only once a browser is wanted, so a
    #   session without browser tests keeps Django's guard. The live server's thread is
    #   unaffected.
    # - ``django.db.connections`` is thread-critical asgiref Local storage: with a running loop
    #   it switches from the thread-local to a context-local store, and would hand out new
    #   connection objects. Those lack the test database's serialized snapshot (so serialized
    #   rollback silently restores nothing) and are not the ones the live server thread shares.
    #   So the test database is created first (``django_db_setup`` above) and, once the loop
    #   runs, its connection objects are put in the context-local store as well.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sync_connections = {alias: connections[alias] for alias in connections}
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        # After a sync call (launch) the loop counts as running in this thread.
        if asyncio._get_running_loop() is None:
            raise RuntimeError(
                "Playwright's event loop is not marked running after launch(): "
                "revisit the connection hand-over in tests/e2e/conftest.py"
            )
        for alias, connection in sync_connections.items():
            connections[alias] = connection
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def site_url(live_server, django_db_serialized_rollback):
    """The live server's URL, serving the seeded demo site.

    The live server shares the test database, so the test is transactional (pytest-django adds
    ``transactional_db`` for ``live_server``). The flush after each such test would also wipe
    the rows the migrations created (Wagtail's root page, the role groups), so the database is
    restored from its post-migration snapshot before each test (serialized rollback).

    The demo Site is ``localhost:80`` and the default site. Requests to the live server's
    ``localhost:<port>`` resolve to it: Wagtail takes a hostname match on the default site when
    no site matches hostname and port exactly.
    """
    from portal import demo

    demo.seed()
    return live_server.url


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")[:180]


@pytest.fixture
def new_page(request, browser, site_url):
    """Factory: open a page in a new browser context pointed at the live server."""
    contexts = []

    def make(*, viewport=None, locale="zh-CN", is_mobile=False, **context_options):
        context = browser.new_context(
            base_url=site_url,
            viewport=viewport or DESKTOP,
            locale=locale,
            is_mobile=is_mobile,
            has_touch=is_mobile,
            **context_options,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make

    failed = any(
        getattr(getattr(request.node, f"_e2e_report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    for number, context in enumerate(contexts):
        if failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            for page_number, page in enumerate(context.pages):
                path = RESULTS_DIR / f"{_safe_name(request.node.nodeid)}-{number}-{page_number}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as exc:  # a screenshot must not mask the failure
                    request.node.add_report_section("teardown", "screenshot", f"{path}: {exc}")
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280x800, Chinese browser locale)."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A phone-sized page (375x740, mobile viewport and touch)."""
    return new_page(viewport=PHONE, is_mobile=True)
