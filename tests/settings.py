"""Test settings: the production settings module with the speed tricks tests need.

Everything not overridden here is exactly what runs in production, so tests exercise the real
configuration (middleware, allauth, i18n). DJANGO_DEBUG is forced on only for reading
portal.settings; Django's test runner turns DEBUG off again for the tests themselves.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PORTAL_SMS_SENDER = "portal.sms.MemorySmsSender"
PORTAL_REQUIRE_STAFF_MFA = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The default Site follows PORTAL_BASE_URL on migrate; tests see Wagtail's localhost:80.
PORTAL_BASE_URL = WAGTAILADMIN_BASE_URL = "http://localhost"

# `make test-postgres` builds the migrated database once (tests/pg_template.py); each test
# process clones it instead of running every migration again.
_default_db = DATABASES["default"]  # noqa: F405 - from portal.settings
if os.environ.get("PORTAL_TEST_DB_TEMPLATE") and _default_db["ENGINE"].endswith("postgresql"):
    _default_db.setdefault("TEST", {})["TEMPLATE"] = os.environ["PORTAL_TEST_DB_TEMPLATE"]
