"""Benchmark: the disclosure catalogue list with 10,000 items (target: p95 under 100 ms).

What it does:
  1. (re)creates the PostgreSQL database ``eco_bench_disclosure`` (server from ``--server``,
     default postgres://postgres@127.0.0.1:5432), migrates it and creates the site tree, the
     reference data and the 生态环境信息公开 index page;
  2. inserts ``--items`` catalogue items (default 10,000) directly under the index page in bulk
     (tree paths computed as treebeard does), spread over 15 categories, 6 years, 17 departments;
  3. renders the catalogue in process through Django's test client (full middleware, template
     and page serving, no network) for a fixed list of filter combinations, ``--repeat`` times
     each after a warm-up, and prints p50 / p95 / max latency, the process's CPU time per
     request (steadier than wall-clock on a shared machine) and the query count per request;
  4. drops the database unless ``--keep-db``.

Usage:
    .venv/bin/python bench/disclosure_catalogue.py [--items 10000] [--repeat 40] [--keep-db]

Figures go to docs/performance.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "eco_bench_disclosure"


def recreate_database(server: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database(server: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def setup_django(server: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{server}/{DB_NAME}"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault(
        "PORTAL_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
    )
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log growing in memory


def populate(n_items: int) -> object:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from disclosure.demo import ensure_index_page, ensure_organisation_codes
    from disclosure.models import DisclosureCategory, DisclosureItemPage
    from portal.demo import ensure_site_tree
    from portal.models import Department
    from portal.reference import ensure_reference_data

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    ensure_reference_data()
    ensure_site_tree()
    ensure_organisation_codes()
    index = ensure_index_page()
    categories = list(DisclosureCategory.objects.all())
    departments = list(Department.objects.all())
    content_type = ContentType.objects.get_for_model(DisclosureItemPage)
    locale = Locale.get_default()
    now = timezone.now()
    start = time.perf_counter()
    batch = 1000
    with transaction.atomic():
        for offset in range(0, n_items, batch):
            pages = []
            for i in range(offset, min(offset + batch, n_items)):
                slug = f"bench-{i:05d}"
                pages.append(
                    Page(
                        title=f"东区生态环境信息公开测试条目第{i}号（监测、许可、处罚）",
                        draft_title=f"条目{i}",
                        slug=slug,
                        path=Page._get_path(index.path, index.depth + 1, i + 1),
                        depth=index.depth + 1,
                        numchild=0,
                        url_path=f"{index.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        content_type=content_type,
                        locale=locale,
                        first_published_at=now,
                        last_published_at=now,
                    )
                )
            Page.objects.bulk_create(pages)
            rows = []
            for page in pages:
                i = int(page.slug.split("-")[1])
                published = dt.date(2020 + i % 6, 1 + i % 12, 1 + i % 28)
                department = departments[i % len(departments)]
                rows.append(
                    (
                        page.pk,
                        f"{department.organisation_code or 'X'}/{published.year}-B{i:06d}",
                        department.pk,
                        categories[i % len(categories)].pk,
                        "通知",
                        "",
                        published,
                        published,
                        "valid",
                        "测试摘要",
                        "<p>测试正文。</p>",
                    )
                )
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO disclosure_disclosureitempage (page_ptr_id, index_number, "
                    "department_id, category_id, doc_type, document_number, written_date, "
                    "publication_date, validity, summary, body) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    rows,
                )
        Page.objects.filter(pk=index.pk).update(numchild=n_items)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"inserted {n_items} items in {time.perf_counter() - start:.1f} s")
    return Page.objects.get(pk=index.pk)


def measure(index, repeat: int) -> list[tuple[str, float, float, float, float, int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from disclosure.models import DisclosureCategory
    from portal.models import Department

    setup_test_environment()
    client = Client()
    url = index.url_path.replace(index.get_site().root_page.url_path, "/", 1)
    category = DisclosureCategory.objects.get(slug="monitoring").pk
    department = Department.objects.get(code="eco-env").pk
    cases = [
        ("first page, no filter", url),
        ("page 200", f"{url}?page=200"),
        ("category", f"{url}?category={category}"),
        ("year", f"{url}?year=2023"),
        ("department", f"{url}?department={department}"),
        (
            "category + year + department, page 3",
            f"{url}?category={category}&year=2023&department={department}&page=3",
        ),
    ]
    results = []
    for label, path in cases:
        for _ in range(3):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        # read now: every request starts by emptying the query log
        n_queries = len(queries.captured_queries)
        timings = []
        cpu = time.process_time()
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - t0) * 1000)
        cpu_ms = (time.process_time() - cpu) * 1000 / repeat
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(round(0.95 * len(timings))) - 1)]
        results.append((label, statistics.median(timings), p95, timings[-1], cpu_ms, n_queries))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    recreate_database(args.server)
    try:
        setup_django(args.server)
        index = populate(args.items)
        results = measure(index, args.repeat)
        print(f"\ncatalogue list, {args.items} items, {args.repeat} requests per case (in process)")
        print(
            f"{'case':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'CPU ms':>8} {'queries':>8}"
        )
        for label, p50, p95, worst, cpu_ms, queries in results:
            print(f"{label:<40} {p50:8.1f} {p95:8.1f} {worst:8.1f} {cpu_ms:8.1f} {queries:8d}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            drop_database(args.server)


if __name__ == "__main__":
    main()
