"""Settings read the environment with typed helpers that fail loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    base["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("1", True), ("true", True), ("Yes", True), ("off", False), ("0", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env_bool("X_FLAG", not expected) is expected


def test_env_bool_rejects_maybe(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_rejects_words(monkeypatch):
    monkeypatch.setenv("X_NUM", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)


def test_env_list_splits_and_drops_empty_items(monkeypatch):
    monkeypatch.setenv("X_LIST", "a.example, b.example,,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


def test_debug_maybe_stops_start_up():
    result = run_python("import django; django.setup()", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_DEBUG='maybe'" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python(
        "import django; django.setup()", DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="x.example"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_python(
        "import django; django.setup()", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 60
    )
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_check_deploy_prints_no_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))
            },
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
            "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
            "EMAIL_HOST": "smtp.invalid",
            "PORTAL_SMS_SENDER": "portal.sms.DisabledSmsSender",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_urls_select_postgres_and_redis():
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.DATABASES['default']['ENGINE']); print(s.CACHES['default']['BACKEND'])"
    )
    result = run_python(
        code,
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://u:p@db.internal:5432/portal",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    engine, cache = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert cache == "portal.cache.RedisCache"


def test_default_is_sqlite_with_a_shared_database_cache():
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.DATABASES['default']['ENGINE']); print(s.CACHES['default']['BACKEND'])"
    )
    result = run_python(code, DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "django.core.cache.backends.db.DatabaseCache",
    ]


def test_locale_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "x.example",
}


def test_production_refuses_the_console_email_backend():
    result = run_python("import django; django.setup()", **PRODUCTION, EMAIL_HOST="")
    assert result.returncode != 0
    assert "EMAIL_HOST must be set" in result.stderr


@pytest.mark.parametrize("sender", ["portal.sms.ConsoleSmsSender", "portal.sms.MemorySmsSender"])
def test_production_refuses_the_development_sms_senders(sender):
    result = run_python(
        "import django; django.setup()",
        **PRODUCTION,
        EMAIL_HOST="smtp.example.gov.cn",
        PORTAL_SMS_SENDER=sender,
    )
    assert result.returncode != 0
    assert f"PORTAL_SMS_SENDER={sender} is for development" in result.stderr


def test_production_starts_with_smtp_and_the_disabled_sms_sender():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.EMAIL_BACKEND)"
    result = run_python(
        code,
        **PRODUCTION,
        EMAIL_HOST="smtp.example.gov.cn",
        PORTAL_SMS_SENDER="portal.sms.DisabledSmsSender",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
