"""Benchmark: report submissions per second with a small photo (form + photo cleaning + insert).

    .venv/bin/python bench/tipoffs_intake.py [--seconds 20] [--threads 4]

On PostgreSQL (``eco_bench_tipoffs_intake``, recreated and dropped), posts the real form to
``/en/tipoffs/new`` from ``--threads`` in-process clients (each with its own database
connection) for ``--seconds``, with a 640×480 JPEG carrying EXIF, and prints submissions/s and
p50/p95 latency and the process's CPU time per submission (in-process threads share one core
through the GIL, so submissions/s here is bounded by one core; CPU per submission tells what
the workers of a real server can sustain). Rate limits are lifted for the run; notifications
are queued as database tasks, as in production.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "eco_bench_tipoffs_intake"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.TIPOFFS_RATE_LIMITS = {"ip": (10**9, 60), "phone": (10**9, 60)}
    settings.DEBUG = False  # as in production: no query log kept per request
    # As in production: notifications are queued as database rows for the worker, not sent
    # inside the request (the test settings run tasks immediately).
    from django.test.utils import override_settings

    override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}).enable()
    import tempfile

    evidence = tempfile.TemporaryDirectory(prefix="tipoffs-bench-")
    settings.TIPOFFS_EVIDENCE_ROOT = evidence.name  # real files, as in production
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone
    from PIL import Image

    from portal.models import Subdistrict
    from portal.reference import ensure_reference_data
    from portal.tipoffs.models import Category, Tipoff

    try:
        call_command("migrate", verbosity=0)
        ensure_reference_data()
        category = Category.objects.get(code="air-dust")
        subdistrict = Subdistrict.objects.first()
        buf = io.BytesIO()
        exif = Image.Exif()
        exif[0x010F] = "BenchCam"
        Image.new("RGB", (640, 480), (100, 150, 90)).save(buf, format="JPEG", exif=exif, quality=80)
        photo = buf.getvalue()
        print(f"photo: {len(photo)} bytes")
        import gc

        gc.freeze()  # as portal/wsgi.py does once the application is loaded
        cpu_start = time.process_time()
        deadline = time.perf_counter() + args.seconds
        timings: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()

        def worker(n: int) -> None:
            from django.db import connection as thread_connection

            client = Client(REMOTE_ADDR=f"10.0.0.{n}")
            i = 0
            while time.perf_counter() < deadline:
                i += 1
                data = {
                    "category": category.pk,
                    "subdistrict": subdistrict.pk,
                    "address": "攀枝花大道东段1号",
                    "observed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                    "description": "基准测试：工地扬尘严重，夜间施工。",
                    "confidentiality": "real_name",
                    "name": "测试",
                    "phone": f"139{n:02d}{i:06d}",
                    "consent": "on",
                    "photos": [SimpleUploadedFile("p.jpg", photo, content_type="image/jpeg")],
                }
                t0 = time.perf_counter()
                response = client.post("/en/tipoffs/new", data)
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    if response.status_code == 302:
                        timings.append(elapsed)
                    else:
                        errors.append(response.status_code)
            thread_connection.close()

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.threads)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        cpu_ms = (time.process_time() - cpu_start) * 1000 / max(1, len(timings))
        timings.sort()
        if not timings:
            raise SystemExit(f"no successful submission; status codes: {sorted(set(errors))}")
        print(
            f"{len(timings)} submissions in {wall:.1f}s = {len(timings) / wall:.1f}/s "
            f"({args.threads} threads); p50 {statistics.median(timings):.1f} ms, "
            f"p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms; errors {len(errors)}; "
            f"CPU {cpu_ms:.1f} ms per submission (client + server, one process)"
        )
        if not (Tipoff.objects.count() == len(timings)):
            raise SystemExit("unexpected: Tipoff.objects.count() == len(timings)")
    finally:
        connection.close()
        evidence.cleanup()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
