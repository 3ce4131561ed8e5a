"""Row-lock tests (PostgreSQL): another worker holds a lock while the test acts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def held_elsewhere(lock: Callable[[], object]) -> Iterator[None]:
    """Run ``lock()`` inside a transaction on a thread of its own (so on a database connection
    of its own) and keep that transaction open until the ``with`` block ends: another worker,
    caught mid-transition."""
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                lock()
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert locked.wait(30), "the other connection never took its lock"
        yield
    finally:
        release.set()
        thread.join()
