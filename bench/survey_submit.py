"""Benchmark: complete survey responses posted to gunicorn + PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eco_bench \\
        .venv/bin/python bench/survey_submit.py [--seconds 30] [--clients 8] [--workers 4] \\
        [--redis redis://127.0.0.1:6379/0]

Sets up the database (migrate, cache table, reference data, an anonymous copy of the demo
questionnaire with slug ``bench-eco``), starts gunicorn with production settings, and lets
``--clients`` threads post complete responses (all questions, one request each, through the
one-page form ``/surveys/s/bench-eco/all/``, CSRF included) for ``--seconds``. Each request has
its own user agent, so each is a distinct anonymous respondent (one abuse-signal row each).
Prints sustained submissions/s, p50/p90/p99 latency, the gunicorn workers' CPU time per
submission, errors, and the response and answer row counts before and after: every accepted
POST must be one new response. With ``--redis`` the cache (rate-limit counters, survey structure,
sessions' cache half) is Redis, as production with ``REDIS_URL`` runs; the keys get a per-run
prefix and are deleted at the end. Without it the cache is the database table.
Not part of `make test`; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from gunicorn_cpu import workers_cpu_seconds  # bench/ is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SLUG = "bench-eco"

SETUP = """
from portal.reference import ensure_reference_data
from surveys import demo
from surveys.models import Survey
ensure_reference_data()
demo_survey = demo.ensure_survey()
if not Survey.objects.filter(slug="bench-eco").exists():
    from surveys.models import Choice, MatrixRow, Question, Survey as S
    bench = S.objects.create(title="bench", slug="bench-eco", purpose="bench", wave="bench",
        year=2025, status="open", respondent_mode="anonymous", anonymous_hourly_limit=30000)
    for q in demo_survey.questions.all():
        choices, rows = list(q.choices.all()), list(q.rows.all())
        q.pk = None; q.id = None; q.survey = bench; q.save()
        for c in choices:
            c.pk = None; c.id = None; c.question = q; c.save()
        for r in rows:
            r.pk = None; r.id = None; r.question = q; r.save()
from surveys.models import Answer, Response
print(Response.objects.filter(survey__slug="bench-eco").count(),
      Answer.objects.filter(response__survey__slug="bench-eco").count())
"""

COUNT = """
from surveys.models import AbuseSignal, Answer, Response
print(Response.objects.filter(survey__slug="bench-eco").count(),
      Answer.objects.filter(response__survey__slug="bench-eco").count(),
      AbuseSignal.objects.filter(survey__slug="bench-eco").count())
"""


REDIS_URL = ""
CACHE_PREFIX = f"bench-survey-{os.getpid()}"


def env() -> dict[str, str]:
    result = dict(os.environ)
    result.pop("REDIS_URL", None)
    if REDIS_URL:
        result["REDIS_URL"] = REDIS_URL
        result["PORTAL_CACHE_PREFIX"] = CACHE_PREFIX
    result.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": result.get("DJANGO_SECRET_KEY", "bench-" + "x" * 50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PORTAL_REQUIRE_STAFF_MFA": "false",
            "PORTAL_LOG_LEVEL": "WARNING",
            # DEBUG off refuses the console senders; these send nothing.
            "EMAIL_HOST": "smtp.invalid",
            "PORTAL_SMS_SENDER": "portal.sms.DisabledSmsSender",
            "DJANGO_STATIC_ROOT": result.get(
                "DJANGO_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "eco-bench-static")
            ),
        }
    )
    return result


def manage(*args: str, stdin: str | None = None) -> str:
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    done = subprocess.run(  # noqa: S603 - fixed command line
        command, cwd=ROOT, env=env(), input=stdin, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def payload(rng: random.Random, token: str) -> str:
    """A complete, valid response to the demo questionnaire."""
    fields = [
        ("csrfmiddlewaretoken", token),
        (
            "subdistrict",
            rng.choice(
                ["donghua", "bingcaogang", "nongnongping", "dadukou", "guaziping", "yinjiang"]
            ),
        ),
        ("sex", rng.choice(["male", "female"])),
        ("age_group", rng.choice(["18-29", "30-44", "45-59", "60+"])),
        ("Q1", rng.choice("123459")),
    ]
    fields += [(f"Q2_{row}", rng.choice("123459")) for row in "12345678"]
    fields += [(f"Q3_{row}", rng.choice("1239")) for row in "1234567"]
    knows = rng.choice("12")
    fields += [("Q4", knows), ("Q5", rng.choice("123"))]
    if knows == "1":
        fields.append(("Q6", rng.choice("123459")))
    fields += [("Q7", code) for code in rng.sample("123456", k=rng.randint(1, 3))]
    fields += [("Q8", rng.choice("123459")), ("Q9", str(rng.randint(0, 12))), ("Q10", "")]
    return urllib.parse.urlencode(fields)


class Client(threading.Thread):
    def __init__(self, port: int, deadline: float, seed: int, minimum: int = 0):
        super().__init__(daemon=True)
        self.minimum = minimum  # warm-up: every worker has served a few before measuring
        self.port = port
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.seed = seed

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def run(self):
        conn = self.connection()
        base = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{self.port}"}
        conn.request("GET", f"/surveys/s/{SLUG}/all/", headers=base)
        page = conn.getresponse()
        html = page.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie") or "").group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        n = 0
        while time.monotonic() < self.deadline or len(self.latencies) < self.minimum:
            n += 1
            headers = {
                **base,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie}",
                "Origin": f"https://127.0.0.1:{self.port}",
                "Referer": f"https://127.0.0.1:{self.port}/surveys/s/{SLUG}/all/",
                "User-Agent": f"bench-{self.seed}-{n}",
            }
            body = payload(self.rng, token)
            start = time.perf_counter()
            try:
                conn.request("POST", f"/surveys/s/{SLUG}/all/", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(repr(exc))
                conn.close()
                conn = self.connection()
                continue
            elapsed = time.perf_counter() - start
            if response.status == 302 and "/thanks/" in (response.getheader("Location") or ""):
                self.latencies.append(elapsed)
            else:
                self.errors.append(f"HTTP {response.status}")


def drop_redis_keys() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{CACHE_PREFIX}:*", count=1000))
    for i in range(0, len(keys), 500):
        client.delete(*keys[i : i + 500])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--redis", default="", help="a Redis URL to use as the cache")
    args = parser.parse_args()
    global REDIS_URL
    REDIS_URL = args.redis
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is migrated and written to).")

    manage("migrate", "--no-input", "-v0")
    manage("createcachetable")
    manage("collectstatic", "--no-input", "-v0")
    before = manage("shell", "--no-imports", stdin=SETUP).split()[-2:]
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
        env=env(),
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.2)
        warm = [
            Client(args.port, time.monotonic() + args.warmup, 1000 + i, minimum=5)
            for i in range(args.clients)
        ]
        for c in warm:
            c.start()
        for c in warm:
            c.join()
        cpu_before = workers_cpu_seconds(gunicorn.pid)
        start = time.monotonic()
        clients = [Client(args.port, start + args.seconds, i) for i in range(args.clients)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        wall = time.monotonic() - start
        workers_cpu = workers_cpu_seconds(gunicorn.pid) - cpu_before
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
    latencies = sorted(x for c in clients for x in c.latencies)
    accepted = len(latencies) + sum(len(c.latencies) for c in warm)
    errors = [e for c in clients + warm for e in c.errors]
    after = manage("shell", "--no-imports", stdin=COUNT).split()[-3:]
    if REDIS_URL:
        drop_redis_keys()
    new_rows = int(after[0]) - int(before[0])

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, gunicorn {args.workers} sync workers, {args.clients} clients, cache: {'redis' if REDIS_URL else 'database'}"
    )
    print(
        f"sustained: {len(latencies) / wall:.1f} submissions/s over {wall:.1f} s ({len(latencies)} accepted)"
    )
    if latencies:
        print(
            f"latency ms: p50 {pct(50):.1f}  p90 {pct(90):.1f}  p99 {pct(99):.1f}  max {latencies[-1] * 1000:.1f}  mean {statistics.mean(latencies) * 1000:.1f}"
        )
    if latencies:
        print(
            f"gunicorn workers' CPU: {workers_cpu * 1000 / len(latencies):.1f} ms per submission "
            "(steadier than wall-clock on a shared machine; PostgreSQL's own CPU not included)"
        )
    print(f"errors: {len(errors)} {sorted(set(errors))[:5]}")
    print(f"load average during the run (1/5/15 min): {os.getloadavg()}")
    print(
        f"responses: before {before[0]}, after {after[0]} (+{new_rows}); accepted POSTs incl. warm-up {accepted}; answers {after[1]}; abuse signals {after[2]}"
    )
    print(
        "nothing lost"
        if new_rows == accepted
        else f"MISMATCH: {new_rows} rows for {accepted} accepted POSTs"
    )


if __name__ == "__main__":
    main()
