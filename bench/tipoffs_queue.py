"""Benchmark: a department handler's filtered queue with 100,000 reports on PostgreSQL.

    .venv/bin/python bench/tipoffs_queue.py [--cases 100000] [--requests 200] [--keep-db]

(Re)creates the database ``eco_bench_tipoffs`` (postgres://postgres@127.0.0.1:5432 unless
BENCH_PG_URL says otherwise), migrates it, bulk-inserts ``--cases`` reports spread over the
categories, sub-districts, states and departments (with assignments), then renders the admin
queue of a handler (``/admin/tipoffs/?queue=open&category=...``) ``--requests`` times in process
and prints p50/p95 latency, the benchmark process's CPU time per request (steadier than wall-clock
on a shared machine) and the number of queries per request (which must not grow with the data). Finally it drops the database unless ``--keep-db``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB = "eco_bench_tipoffs"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    recreate_database()
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal import roles
    from portal.models import Department, DepartmentMembership, Subdistrict
    from portal.reference import ensure_reference_data
    from portal.tipoffs.models import Category, State, Tipoff, TipoffAssignment, new_tracking_code
    from tests.factories import UserFactory

    try:
        call_command("migrate", verbosity=0)
        ensure_reference_data()
        rng = random.Random(1)
        leaves = [c for c in Category.objects.prefetch_related("children") if not c.children.all()]
        subdistricts = list(Subdistrict.objects.all())
        departments = list(Department.objects.all()[:6])
        handler = UserFactory(username="bench-handler", roles=[roles.DEPARTMENT_HANDLER])
        DepartmentMembership.objects.create(user=handler, department=departments[0])
        states = [
            State.ASSIGNED,
            State.INVESTIGATING,
            State.CLOSED,
            State.RESOLVED,
            State.SUBMITTED,
        ]
        now = timezone.now()
        start = time.perf_counter()
        batch = 5000
        for offset in range(0, args.cases, batch):
            rows = []
            for _i in range(offset, min(args.cases, offset + batch)):
                submitted = now - timezone.timedelta(days=rng.randint(0, 700))
                state = rng.choice(states)
                rows.append(
                    Tipoff(
                        tracking_code=new_tracking_code(),
                        category=rng.choice(leaves),
                        subdistrict=rng.choice(subdistricts),
                        address="攀枝花大道东段1号",
                        public_address="攀枝花大道东段",
                        observed_at=submitted,
                        description="基准测试数据",
                        confidentiality="anonymous",
                        state=state,
                        submitted_at=submitted,
                        acceptance_due=submitted.date(),
                        due_date=(submitted + timezone.timedelta(days=60)).date()
                        if state != State.CLOSED
                        else None,
                    )
                )
            created = Tipoff.objects.bulk_create(rows)
            TipoffAssignment.objects.bulk_create(
                [
                    TipoffAssignment(tipoff=t, department=rng.choice(departments), is_lead=True)
                    for t in created
                    if t.state != State.SUBMITTED
                ]
            )
        print(f"inserted {args.cases} reports in {time.perf_counter() - start:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does to a table this size
        mine = TipoffAssignment.objects.filter(department=departments[0]).count()
        print(f"handler's department has {mine} reports")

        settings.DEBUG = False  # as in production: no query log kept per request
        client = Client()
        client.force_login(handler)
        category = Category.objects.get(code="air")
        urls = [
            "/admin/tipoffs/?queue=open",
            f"/admin/tipoffs/?queue=open&category={category.pk}",
            "/admin/tipoffs/?queue=overdue",
            "/admin/tipoffs/?queue=all&p=3",
        ]
        for url in urls:
            if not (client.get(url).status_code == 200):
                raise SystemExit("unexpected: client.get(url).status_code == 200")
        for url in urls:
            timings = []
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            n_queries = len(queries)  # now: every request starts by emptying the query log
            cpu = time.process_time()
            for _ in range(args.requests // len(urls)):
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
                if not (response.status_code == 200):
                    raise SystemExit("unexpected: response.status_code == 200")
            cpu_ms = (time.process_time() - cpu) * 1000 / len(timings)
            timings.sort()
            p95 = timings[int(len(timings) * 0.95) - 1]
            print(
                f"{url:55s} p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  "
                f"CPU {cpu_ms:5.1f} ms/request  queries {n_queries}"
            )
    finally:
        connection.close()
        if not args.keep_db:
            drop_database()


if __name__ == "__main__":
    main()
