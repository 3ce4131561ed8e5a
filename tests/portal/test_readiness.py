"""/readyz: may this process take traffic? Liveness (/healthz) stays a cheap database ping."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queue_task(*, waiting: dt.timedelta, **fields):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="portal.notifications.outbox.send_notification",
        backend_name="default",
        run_after=get_date_max(),
        **fields,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - waiting)
    return task


def test_ready_when_every_check_passes(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "storage": "ok",
            "migrations": "ok",
            "tasks": "immediate",  # the test settings run tasks in the request
        },
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_pending_migration_makes_the_process_not_ready(client):
    # The schema lags the code: forget that the portal app's latest migration was applied.
    executor = MigrationExecutor(connection)
    app, name = next(node for node in executor.loader.graph.leaf_nodes() if node[0] == "portal")
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()

    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["failing"] == ["migrations"]
    assert body["checks"]["migrations"] == "pending"
    assert name not in response.content.decode()  # states, not details


def test_a_task_queued_too_long_means_no_worker_is_running(client, settings):
    settings.TASKS = DATABASE_TASKS
    settings.PORTAL_READY_MAX_QUEUE_AGE = 300
    queue_task(waiting=dt.timedelta(seconds=30))
    assert client.get("/readyz").json()["checks"]["tasks"] == "ok"

    queue_task(waiting=dt.timedelta(minutes=10))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["tasks"]
    assert response.json()["checks"]["tasks"] == "stale"


def test_finished_and_future_tasks_do_not_count(client, settings):
    settings.TASKS = DATABASE_TASKS
    queue_task(waiting=dt.timedelta(hours=2), status="SUCCESSFUL")
    later = queue_task(waiting=dt.timedelta(hours=2))
    DBTaskResult.objects.filter(pk=later.pk).update(
        run_after=timezone.now() + dt.timedelta(hours=1)
    )
    assert client.get("/readyz").status_code == 200


def test_a_scheduled_task_waits_from_when_it_fell_due(client, settings):
    settings.TASKS = DATABASE_TASKS
    task = queue_task(waiting=dt.timedelta(days=1))
    DBTaskResult.objects.filter(pk=task.pk).update(
        run_after=timezone.now() - dt.timedelta(seconds=10)
    )
    assert client.get("/readyz").status_code == 200


def test_an_unreachable_database_is_reported_not_raised():
    # A real unreachable database (nothing listens on port 1), not a mock.
    code = (
        "import django; django.setup();"
        "from django.test.utils import setup_test_environment; setup_test_environment();"
        "from django.test import Client;"
        "r = Client().get('/readyz');"
        "print(r.status_code, *r.json()['failing'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["503", "database", "migrations"], result.stderr
