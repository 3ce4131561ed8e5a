"""A migrated PostgreSQL test database, built once for ``make test-postgres`` to clone.

Every test process of the PostgreSQL leg (two xdist workers, then each module that needs a
database of its own) used to run all ~280 migrations itself, about 45 s each. Built once here by
Django's own ``create_test_db`` (the same migrate run pytest-django does, with tests.settings),
it is named in ``PORTAL_TEST_DB_TEMPLATE``, and tests/settings.py makes it the ``TEMPLATE`` of
the test database: each process then creates its database with ``CREATE DATABASE … TEMPLATE``
in a second, and its migrate finds nothing to apply.

    python -m tests.pg_template create   # prints the template's name
    python -m tests.pg_template drop
"""

from __future__ import annotations

import os
import sys


def main(action: str) -> int:
    os.environ.pop("PORTAL_TEST_DB_TEMPLATE", None)  # the template is built, not cloned
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.stderr.write("tests.pg_template: DATABASE_URL must name a PostgreSQL database\n")
        return 2
    name = f"test_{connection.settings_dict['NAME']}_template"
    if action == "create":
        connection.settings_dict["TEST"]["NAME"] = name
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        sys.stdout.write(f"{name}\n")
    elif action == "drop":
        connection.creation._destroy_test_db(name, verbosity=0)
    else:
        sys.stderr.write(f"tests.pg_template: unknown action {action!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
