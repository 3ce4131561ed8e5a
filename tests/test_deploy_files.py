"""The deployment files (deploy/) agree with the code and the README.

They cannot be run here (no Docker, no systemd); these checks keep them honest: compose parses
and has every service, the Dockerfile runs the commands the README tells an operator to run,
every timer names a management command that exists, nginx never retries a POST that reached an
app server and never trusts the client's X-Forwarded-For, and the env template holds no secret.
The nginx file itself is exercised by `make deployed-test` (tests/deployed/).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _readme_deploy_section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Deploying")
    return text[start : text.index("\n## ", start + 1)]


def test_compose_has_the_services_and_they_use_the_image():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "redis", "minio", "buckets", "migrate", "app", "worker", "scheduler"} <= set(
        services
    )
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:")
    assert services["minio"]["image"].startswith("minio/minio")
    for name in ("migrate", "app", "worker", "scheduler"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[name]["env_file"] == "portal.env"
    assert services["worker"]["command"][1:3] == ["manage.py", "db_worker"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert (DEPLOY / services["app"]["env_file"]).with_suffix(".env.example").exists()


def test_the_dockerfile_runs_what_the_readme_tells_an_operator_to_run():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    readme = _readme_deploy_section()
    install = "pip install --no-cache-dir --require-hashes --no-deps -r requirements/base.lock"
    assert install in dockerfile
    assert "pip install --require-hashes --no-deps -r requirements/base.lock" in readme
    image_commands = set(re.findall(r"manage\.py (\w+)", dockerfile))
    compose_commands = set(
        re.findall(r"manage\.py\"?,? \"?(\w+)", (DEPLOY / "compose.yaml").read_text())
    )
    readme_commands = set(re.findall(r"manage\.py (\w+)", readme))
    assert image_commands == {"compile_catalogues", "collectstatic"}
    assert image_commands | {"migrate", "seed_reference", "db_worker"} <= readme_commands
    assert compose_commands <= readme_commands | set(_timer_commands())
    gunicorn = re.search(r'CMD \[".venv/bin/gunicorn", "portal.wsgi"', dockerfile)
    assert gunicorn and "gunicorn portal.wsgi" in readme


def _timer_commands() -> list[str]:
    return [p.stem.removeprefix("portal-") for p in (DEPLOY / "systemd").glob("portal-*.timer")]


def test_every_timer_runs_an_existing_management_command():
    commands = get_commands()
    timers = _timer_commands()
    assert {
        "publish_scheduled",
        "tipoffs_deadlines",
        "privacy_purge",
        "tipoffs_sweep_photos",
        "survey_purge",
    } <= set(timers)
    for name in timers:
        assert name in commands, name
        timer = (DEPLOY / "systemd" / f"portal-{name}.timer").read_text()
        assert f"Unit=portal-manage@{name}.service" in timer
    assert "manage.py %i" in (DEPLOY / "systemd" / "portal-manage@.service").read_text()
    worker = (DEPLOY / "systemd" / "portal-worker.service").read_text()
    assert "manage.py db_worker" in worker and "Restart=always" in worker


def test_nginx_trusts_no_client_forwarded_for_and_never_resends_a_received_post():
    proxy = (DEPLOY / "nginx" / "portal-proxy.conf").read_text()
    directives = [line.split("#")[0].strip() for line in proxy.splitlines()]
    directives = [d for d in directives if d]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives
    assert not any("$proxy_add_x_forwarded_for" in d for d in directives)
    (next_upstream,) = [d for d in directives if d.startswith("proxy_next_upstream ")]
    assert next_upstream == "proxy_next_upstream error timeout;"
    assert not any("non_idempotent" in d for d in directives)
    site = (DEPLOY / "nginx" / "portal.conf").read_text()
    assert re.search(r"max_fails=\d+ fail_timeout=\d+s;", site)
    assert "client_max_body_size 64m;" in site  # 6 photos × 10 MB (portal/tipoffs/photos.py)
    assert re.search(
        r"location ~ \^/media/\(private\|evidence\|exports\|releases\)/ \{\s+deny all;", site
    )


def test_the_env_template_holds_no_secret():
    values = dict(
        line.split("=", 1)
        for line in (DEPLOY / "portal.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for key in ("DJANGO_SECRET_KEY", "PORTAL_S3_SECRET_ACCESS_KEY", "EMAIL_HOST_PASSWORD"):
        assert values[key] == "", key
    assert "CHANGE-ME" in values["DATABASE_URL"]
    assert values["DJANGO_DEBUG"] == "false"
