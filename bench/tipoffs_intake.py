"""Benchmark: report intake (the public form, with or without a small photo) against gunicorn.

    .venv/bin/python bench/tipoffs_intake.py [--seconds 20] [--clients 6] [--workers 2] \\
        [--no-photo] [--redis redis://127.0.0.1:6379/0]

Creates ``eco_bench_tipoffs_intake`` on PostgreSQL (``BENCH_PG_URL``, default the local
server), migrates it and loads the reference data, then starts gunicorn with the production
settings (``portal.settings``, DEBUG off, notifications queued as database tasks for the
worker) plus two bench-only overrides: rate limits lifted (every POST comes from 127.0.0.1)
and the evidence directory in a temporary folder. ``--clients`` threads each fetch the form
once (CSRF cookie and token) and then post complete real-name reports over HTTP, multipart,
with a 640×480 JPEG carrying EXIF unless ``--no-photo``, for ``--seconds``. No session cookie
is sent back, so every POST is a new visitor (one new session row each, as for a citizen).

Prints submissions/s, p50/p95/p99 latency, the gunicorn workers' CPU time per submission
(from /proc; the steadier figure on a shared machine), errors, the load average and the
report rows before/after: every accepted POST must be one new report. The database (and,
with ``--redis``, the run's cache keys) are dropped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from gunicorn_cpu import workers_cpu_seconds  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB = "eco_bench_tipoffs_intake"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
CACHE_PREFIX = f"bench-intake-{os.getpid()}"

SETTINGS = """
from portal.settings import *  # noqa: F403 - production settings, two bench overrides

TIPOFFS_RATE_LIMITS = {"ip": (10**9, 60), "phone": (10**9, 60)}
PORTAL_PRIVATE_ROOT = Path(%(evidence)r)
STORAGES["private"]["OPTIONS"] = {"location": PORTAL_PRIVATE_ROOT}
"""

SETUP = """
from portal.models import Subdistrict
from portal.reference import ensure_reference_data
from portal.tipoffs.models import Category
ensure_reference_data()
print(Category.objects.get(code="air-dust").pk, Subdistrict.objects.order_by("pk").first().pk)
"""

COUNT = """
from django_tasks_db.models import DBTaskResult
from portal.tipoffs.models import Tipoff, TipoffPhoto
print(Tipoff.objects.count(), TipoffPhoto.objects.count(), DBTaskResult.objects.count())
"""


def photo_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"
    Image.new("RGB", (640, 480), (100, 150, 90)).save(buf, format="JPEG", exif=exif, quality=80)
    return buf.getvalue()


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, content in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Client(threading.Thread):
    def __init__(self, port, deadline, n, category, subdistrict, photo, minimum=0):
        super().__init__(daemon=True)
        self.minimum = minimum  # warm-up: every worker has served a few before measuring
        self.port, self.deadline, self.n = port, deadline, n
        self.category, self.subdistrict, self.photo = category, subdistrict, photo
        self.latencies: list[float] = []
        self.errors: list[str] = []

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def run(self):
        conn = self.connection()
        base = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        conn.request("GET", "/en/tipoffs/new", headers=base)
        page = conn.getresponse()
        html = page.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        i = 0
        while time.monotonic() < self.deadline or len(self.latencies) < self.minimum:
            i += 1
            fields = [
                ("csrfmiddlewaretoken", token),
                ("category", str(self.category)),
                ("subdistrict", str(self.subdistrict)),
                ("address", "攀枝花大道东段1号"),
                (
                    "observed_at",
                    time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 3600)),
                ),
                ("description", "基准测试：工地扬尘严重，夜间施工。"),
                ("confidentiality", "real_name"),
                ("name", "测试"),
                ("phone", f"139{self.n:02d}{i:06d}"),
                ("consent", "on"),
            ]
            files = [("photos", "p.jpg", self.photo)] if self.photo else []
            body, content_type = multipart(fields, files)
            headers = {
                **base,
                "Content-Type": content_type,
                "Cookie": f"csrftoken={cookie}",
                "Origin": f"https://127.0.0.1:{self.port}",
                "Referer": f"https://127.0.0.1:{self.port}/en/tipoffs/new",
            }
            start = time.perf_counter()
            try:
                conn.request("POST", "/en/tipoffs/new", body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(repr(exc))
                conn.close()
                conn = self.connection()
                continue
            elapsed = time.perf_counter() - start
            if response.status == 302 and "/done" in (response.getheader("Location") or ""):
                self.latencies.append(elapsed)
            else:
                self.errors.append(f"HTTP {response.status} {text[:0]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8098)
    parser.add_argument("--no-photo", action="store_true", help="reports without a photo")
    parser.add_argument("--redis", default="", help="a Redis URL to use as the cache")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    workdir = tempfile.TemporaryDirectory(prefix="tipoffs-bench-")
    evidence = Path(workdir.name) / "evidence"
    evidence.mkdir()
    (Path(workdir.name) / "bench_intake_settings.py").write_text(
        SETTINGS % {"evidence": str(evidence)}
    )
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        {
            "DATABASE_URL": f"{PG}/{DB}",
            "DJANGO_SETTINGS_MODULE": "bench_intake_settings",
            "PYTHONPATH": os.pathsep.join([workdir.name, str(ROOT)]),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PORTAL_REQUIRE_STAFF_MFA": "false",
            "PORTAL_LOG_LEVEL": "WARNING",
            # DEBUG off refuses the console senders; these send nothing.
            "EMAIL_HOST": "smtp.invalid",
            "PORTAL_SMS_SENDER": "portal.sms.DisabledSmsSender",
            "PORTAL_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "DJANGO_STATIC_ROOT": env.get(
                "DJANGO_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "eco-bench-static")
            ),
        }
    )
    if args.redis:
        env["REDIS_URL"] = args.redis
        env["PORTAL_CACHE_PREFIX"] = CACHE_PREFIX

    def manage(*command: str, stdin: str | None = None) -> str:
        done = subprocess.run(  # noqa: S603 - fixed command line
            [PYTHON, str(ROOT / "manage.py"), *command],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    gunicorn = None
    try:
        manage("migrate", "--no-input", "-v0")
        manage("createcachetable")
        manage("collectstatic", "--no-input", "-v0")
        category, subdistrict = map(int, manage("shell", "--no-imports", stdin=SETUP).split()[-2:])
        photo = b"" if args.no_photo else photo_bytes()
        gunicorn = subprocess.Popen(  # noqa: S603 - fixed command line
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.2)

        def run(seconds: float, first: int, minimum: int = 0) -> list[Client]:
            deadline = time.monotonic() + seconds
            clients = [
                Client(args.port, deadline, first + i, category, subdistrict, photo, minimum)
                for i in range(args.clients)
            ]
            for c in clients:
                c.start()
            for c in clients:
                c.join()
            return clients

        load_before = os.getloadavg()
        warm = run(args.warmup, 50, minimum=5)
        cpu_before = workers_cpu_seconds(gunicorn.pid)
        start = time.monotonic()
        clients = run(args.seconds, 0)
        wall = time.monotonic() - start
        workers_cpu = workers_cpu_seconds(gunicorn.pid) - cpu_before
        load_after = os.getloadavg()
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        gunicorn = None

        latencies = sorted(x for c in clients for x in c.latencies)
        accepted = len(latencies) + sum(len(c.latencies) for c in warm)
        errors = [e for c in clients + warm for e in c.errors]
        reports, photos, tasks = map(int, manage("shell", "--no-imports", stdin=COUNT).split()[-3:])

        def pct(p):
            return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, gunicorn {args.workers} "
            f"sync workers, {args.clients} clients, cache: {'redis' if args.redis else 'database'}, "
            f"photo: {'none' if args.no_photo else f'{len(photo)} bytes JPEG'}"
        )
        if latencies:
            print(
                f"sustained: {len(latencies) / wall:.1f} submissions/s over {wall:.1f} s "
                f"({len(latencies)} accepted)"
            )
            print(
                f"latency ms: p50 {pct(50):.1f}  p95 {pct(95):.1f}  p99 {pct(99):.1f}  "
                f"mean {statistics.mean(latencies) * 1000:.1f}"
            )
            print(
                f"gunicorn workers' CPU: {workers_cpu * 1000 / len(latencies):.1f} ms per "
                "submission (PostgreSQL's own CPU not included)"
            )
        print(f"errors: {len(errors)} {sorted(set(errors))[:5]}")
        print(f"load average (1/5/15 min) before {load_before}, after {load_after}")
        print(
            f"reports {reports}, photos {photos}, queued tasks {tasks}; accepted POSTs incl. "
            f"warm-up {accepted}: {'nothing lost' if reports == accepted else 'MISMATCH'}"
        )
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        workdir.cleanup()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        if args.redis:
            import redis

            client = redis.Redis.from_url(args.redis)
            keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
            for i in range(0, len(keys), 500):
                client.delete(*keys[i : i + 500])


if __name__ == "__main__":
    main()
