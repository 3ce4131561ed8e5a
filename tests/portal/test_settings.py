"""Settings read the environment with typed helpers that fail loudly."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_choice, env_float, env_int, env_json, env_list, env_secret

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


# --- Every setting declared once, every variable documented ------------------------------------

APP_PREFIXES = ("PORTAL_", "TIPOFFS_", "SURVEYS_", "CMS_", "DISCLOSURE_")
APP_DIRS = ("portal", "cms", "disclosure", "surveys")
SETTINGS_SOURCE = ROOT / "portal" / "settings.py"


def readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("### Environment variables", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+_FILE)`", line))
    return names


def test_apps_read_settings_directly_never_with_scattered_defaults():
    pattern = re.compile(
        rf"getattr\(\s*(?:django_)?settings\s*,\s*[\"'](?:{'|'.join(APP_PREFIXES)})"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in APP_DIRS
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == [], "declare these settings in portal/settings.py and read settings.X"


def test_every_app_setting_and_environment_variable_is_in_the_readme_table():
    import portal.settings as declared

    source = SETTINGS_SOURCE.read_text(encoding="utf-8")
    env_names = set(re.findall(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", source))
    secret_files = {
        f"{name}_FILE" for name in re.findall(r"env_secret\(\s*\"([A-Z0-9_]+)\"", source)
    }
    app_settings = {name for name in dir(declared) if name.startswith(APP_PREFIXES)}
    missing = (env_names | secret_files | app_settings) - readme_variables()
    assert not missing, f"add a row to the README's environment table for {sorted(missing)}"


def test_a_secret_may_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET", "") == "from-a-file"
    monkeypatch.setenv("X_SECRET", "inline")
    with pytest.raises(ImproperlyConfigured, match="X_SECRET or X_SECRET_FILE"):
        env_secret("X_SECRET", "")
    monkeypatch.delenv("X_SECRET")
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="X_SECRET_FILE"):
        env_secret("X_SECRET", "")


def test_production_reads_the_secret_key_from_a_file(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text("k" * 60 + "\n", encoding="utf-8")
    result = run_python(
        "from django.conf import settings as s; import django; django.setup();"
        "print(len(s.SECRET_KEY))",
        DJANGO_DEBUG="false",
        DJANGO_ALLOWED_HOSTS="x.example",
        DJANGO_SECRET_KEY_FILE=str(key),
        EMAIL_HOST="smtp.invalid",
        PORTAL_SMS_SENDER="portal.sms.DisabledSmsSender",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "60"


def test_ranges_and_choices_are_checked(monkeypatch):
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="X_NUM='0' is below the minimum 1"):
        env_int("X_NUM", 5, minimum=1)
    monkeypatch.setenv("X_NUM", "1.5e3")
    assert env_float("X_NUM", 1.0) == 1500.0
    monkeypatch.setenv("X_NUM", "nan")
    with pytest.raises(ImproperlyConfigured, match="finite"):
        env_float("X_NUM", 1.0)
    monkeypatch.setenv("X_CHOICE", "weekly")
    with pytest.raises(ImproperlyConfigured, match="X_CHOICE"):
        env_choice("X_CHOICE", "calendar", ["calendar", "working"])
    monkeypatch.setenv("X_JSON", "{not json")
    with pytest.raises(ImproperlyConfigured, match="X_JSON"):
        env_json("X_JSON", {})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("PORTAL_TRUSTED_PROXIES", "nginx", "PORTAL_TRUSTED_PROXIES"),
        ("PORTAL_BASE_URL", "eco.example.gov.cn/portal", "PORTAL_BASE_URL"),
        ("TIPOFFS_DAY_COUNT", "weekly", "TIPOFFS_DAY_COUNT"),
        ("TIPOFFS_RATE_LIMITS", '{"ipp": [1, 60]}', "unknown scope 'ipp'"),
        ("TIPOFFS_RATE_LIMITS", '{"ip": [0, 60]}', "two positive integers"),
        ("TIPOFFS_HANDLING_DAYS", "0", "TIPOFFS_HANDLING_DAYS='0' is below the minimum"),
    ],
)
def test_bad_values_stop_start_up_with_the_variable_name(variable, value, message):
    result = run_python("import django; django.setup()", DJANGO_DEBUG="true", **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_good_values_are_parsed():
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.PORTAL_TRUSTED_PROXIES, s.TIPOFFS_RATE_LIMITS['ip'], s.TIPOFFS_RATE_LIMITS['api'])"
    )
    result = run_python(
        code,
        DJANGO_DEBUG="true",
        PORTAL_TRUSTED_PROXIES="127.0.0.1/32, 10.0.0.0/8",
        TIPOFFS_RATE_LIMITS='{"ip": [3, 60]}',
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "('127.0.0.1/32', '10.0.0.0/8') (3, 60) (120, 3600)"


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


def test_sms_template_ids_override_single_keys_and_refuse_unknown_ones():
    code = "from django.conf import settings; print(settings.PORTAL_SMS_TEMPLATES['{}'])"
    ok = run_python(
        code.format("tipoff_resolved"),
        DJANGO_DEBUG="true",
        PORTAL_SMS_TEMPLATES='{"tipoff_resolved": "SMS_123456789"}',
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "SMS_123456789"
    kept = run_python(code.format("tipoff_submitted"), DJANGO_DEBUG="true")
    assert kept.stdout.strip() == "PORTAL_TIPOFF_SUBMITTED"
    for bad in ('{"tipoff_closed": "SMS_1"}', '{"tipoff_resolved": ""}', '["SMS_1"]'):
        refused = run_python(
            code.format("tipoff_resolved"), DJANGO_DEBUG="true", PORTAL_SMS_TEMPLATES=bad
        )
        assert refused.returncode != 0 and "PORTAL_SMS_TEMPLATES" in refused.stderr, bad
