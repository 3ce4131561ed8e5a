"""Benchmark: the public site served by gunicorn on PostgreSQL, and search over 10,000 articles.

What it does (all traffic stays on 127.0.0.1; every loop is bounded):
  1. (re)creates the database ``eco_bench_cms`` on PostgreSQL (default
     postgres://postgres@127.0.0.1:5432), migrates it, seeds the demo site, and adds
     ``--articles`` generated column articles (default 10,000), each indexed for search;
  2. times the site search in process (``cms.search.search_site``) over a fixed query list;
  3. starts gunicorn (production settings: DEBUG off, whitenoise, database cache) and sends
     ``--requests`` GET requests per address from ``--concurrency`` keep-alive clients to the
     home page, the column list, an article and the search page, reporting requests/s and
     p50/p95 latency;
  4. stops gunicorn and (unless ``--keep-db``) drops the database.

Usage:
    .venv/bin/python bench/cms_serve.py                       # full run (10,000 articles)
    .venv/bin/python bench/cms_serve.py --articles 2000 --requests 300 --concurrency 8
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEARCH_QUERIES = [
    "生态",
    "垃圾分类",
    "攀钢",
    "PM2.5",
    "禁渔",
    "红火蚁",
    "尾矿库",
    "污水处理",
    "生态文明建设",
    "东华街道 垃圾",
    "超低排放",
    "厕所革命",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def bench_env(db_name: str, base_url: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{base_url.rstrip('/')}/{db_name}",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_HSTS_SECONDS": "0",
            "PORTAL_REQUIRE_STAFF_MFA": "false",
            "PORTAL_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "DJANGO_STATIC_ROOT": static_root,
            "PORTAL_LOG_LEVEL": "WARNING",
            # DEBUG off refuses the console senders; these send nothing.
            "EMAIL_HOST": "smtp.invalid",
            "PORTAL_SMS_SENDER": "portal.sms.DisabledSmsSender",
        }
    )
    env.pop("REDIS_URL", None)
    return env


def recreate_database(base_url: str, db_name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{base_url.rstrip('/')}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f"CREATE DATABASE \"{db_name}\" ENCODING 'UTF8' TEMPLATE template0")


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def generate_articles(count: int, *, start_at: int = 0, seed: int = 2026) -> tuple[float, float]:
    """Add ``count`` column articles built from the demo sentences, then index them in bulk
    (as ``manage.py update_index`` does). Returns (seconds to create, seconds to index)."""
    from django.conf import settings
    from django.db import transaction
    from wagtail.search.backends import get_search_backend

    from cms.demo_articles import ARTICLES
    from cms.models import ColumnArticlePage, ColumnCategory, ColumnIndexPage
    from portal.models import Subdistrict

    rng = random.Random(seed + start_at)
    sentences = []
    for spec in ARTICLES:
        sentences.append(spec["summary"])
        sentences.extend(item[1] for item in spec["body"] if item[0] == "p")
    topics = [spec["title"] for spec in ARTICLES]
    places = list(Subdistrict.objects.values_list("name", flat=True)) or ["东区"]
    categories = list(ColumnCategory.objects.all())
    column = ColumnIndexPage.objects.get()
    # Index in bulk afterwards instead of one page at a time on save.
    settings.WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False
    start = time.perf_counter()
    done = start_at
    try:
        while done < start_at + count:
            with transaction.atomic():
                for _ in range(min(200, start_at + count - done)):
                    done += 1
                    place = rng.choice(places)
                    title = f"{place}：{rng.choice(topics)}（第{done}期）"
                    paragraphs = rng.sample(sentences, k=min(len(sentences), rng.randint(3, 6)))
                    article = ColumnArticlePage(
                        title=title[:250],
                        slug=f"bench-{done}",
                        summary=paragraphs[0][:400],
                        date=date(2021, 1, 1) + timedelta(days=rng.randint(0, 5 * 365)),
                        source="东区生态环境局",
                        category=rng.choice(categories),
                        body=[{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs],
                    )
                    column.add_child(instance=article)
            if done % 1000 == 0:
                print(
                    f"  created {done} articles ({time.perf_counter() - start:.0f} s)", flush=True
                )
    finally:
        settings.WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = True
    created = time.perf_counter() - start
    start = time.perf_counter()
    backend = get_search_backend()
    ids = list(
        ColumnArticlePage.objects.filter(slug__startswith="bench-")
        .order_by("pk")
        .values_list("pk", flat=True)[start_at:]
    )
    for i in range(0, len(ids), 500):
        chunk = list(
            ColumnArticlePage.objects.filter(pk__in=ids[i : i + 500])
            .select_related("category")
            .prefetch_related("tagged_items__tag")
        )
        backend.add_bulk(ColumnArticlePage, chunk)
    return created, time.perf_counter() - start


def time_search(rounds: int) -> dict[str, float]:
    from cms.search import search_site

    timings = []
    for _ in range(rounds):
        for query in SEARCH_QUERIES:
            t0 = time.perf_counter()
            outcome = search_site(query=query, page_number=1)
            list(outcome.page.object_list if outcome.page else [])
            timings.append((time.perf_counter() - t0) * 1000)
    return {
        "n": len(timings),
        "p50": statistics.median(timings),
        "p95": percentile(timings, 0.95),
        "max": max(timings),
    }


def wait_for(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def load(port: int, paths: list[str], total: int, concurrency: int) -> dict[str, float]:
    """GET ``total`` requests spread over ``paths`` with ``concurrency`` keep-alive clients."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_worker = [
        total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)
    ]

    def worker(index: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        bad = 0
        for i in range(per_worker[index]):
            path = paths[(index + i) % len(paths)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": "localhost"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except (OSError, http.client.HTTPException):
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - t0) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    elapsed = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db-name", default="eco_bench_cms")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=400, help="requests per address")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument("--search-rounds", type=int, default=10)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="reuse an existing, already seeded database and only top up the generated articles",
    )
    args = parser.parse_args()

    static_root = tempfile.mkdtemp(prefix="eco-bench-static-")
    env = bench_env(args.db_name, args.database_url, static_root)
    print(f"database {env['DATABASE_URL']}", flush=True)
    t0 = time.perf_counter()
    if not args.reuse_db:
        recreate_database(args.database_url, args.db_name)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "seed_demo", "--force")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    print(f"migrate + seed + collectstatic: {time.perf_counter() - t0:.0f} s", flush=True)

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from cms.models import ColumnArticlePage

    existing = ColumnArticlePage.objects.filter(slug__startswith="bench-").count()
    created, indexed = generate_articles(max(0, args.articles - existing), start_at=existing)
    total = ColumnArticlePage.objects.live().count()
    print(
        f"created {args.articles - existing} articles in {created:.0f} s, indexed them in "
        f"{indexed:.0f} s; {total} live articles",
        flush=True,
    )
    search = time_search(args.search_rounds)
    print(
        f"in-process search over {total} articles: n={search['n']} "
        f"p50={search['p50']:.1f} ms p95={search['p95']:.1f} ms max={search['max']:.1f} ms",
        flush=True,
    )

    article = (
        ColumnArticlePage.objects.live().filter(slug="waste-sorting-donghua-bingcaogang").first()
    )
    article_path = article.url_path.split("/", 2)[2] if article else "column/"
    targets = {
        "home": ["/"],
        "column list": ["/column/", "/column/?page=2", "/column/?category=cases"],
        "article": [f"/{article_path}"],
        "search": [f"/search/?q={quote(q)}" for q in SEARCH_QUERIES],
    }
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).with_name("gunicorn")),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(args.port)
        for paths in targets.values():  # warm up caches and connections
            load(args.port, paths, min(40, args.requests), 2)
        print(
            f"\n{'address':<12} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}"
        )
        for name, paths in targets.items():
            r = load(args.port, paths, args.requests, args.concurrency)
            print(
                f"{name:<12} {r['requests']:>8} {r['errors']:>6} {r['rps']:>8.1f} "
                f"{r['p50']:>8.1f} {r['p95']:>8.1f}",
                flush=True,
            )
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            recreate_database(args.database_url, args.db_name, drop_only=True)


if __name__ == "__main__":
    main()
