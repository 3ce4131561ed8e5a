"""Benchmark: public pages at the speed limit — app cache hit, full render, nginx edge hit.

    .venv/bin/python bench/edge_cache.py [--seconds 5] [--connections 16]

Starts the deployed topology of `make deployed-test` (tests/deployed/harness.py: private
PostgreSQL, Redis and S3, two gunicorn instances with 2 sync workers each, nginx with TLS, all
on loopback, production settings), seeds the demo content (``seed_demo --force``), then drives
each address with wrk (Debian's ``wrk``; one thread, ``--connections`` keep-alive connections,
``--seconds`` per cell, after a warm-up) in four ways, all in one run:

* **gunicorn hit**: straight to one gunicorn instance (2 workers), an anonymous visitor: the
  page cache answers before routing (portal/pagecache.py);
* **gunicorn full**: the same, with a session cookie, so the cache is bypassed and the page is
  rendered in full for an anonymous user;
* **nginx edge**: through nginx over TLS: the microcache answers (deploy/nginx/portal-cache.conf);
* **nginx static**: the same page's bytes saved as a static file and served by nginx over TLS
  — the limit of this machine; the edge hit is reported as a ratio of it.

``/robots.txt`` runs beside the pages as the no-database reference. Finally it measures how
long after a publish the edge still serves the old copy. Prints requests/s and p99 latency for
each cell. Not part of `make test`; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deployed.harness import PUBLISH, Topology  # noqa: E402

ADDRESSES = """
from cms.models import ColumnArticlePage, ColumnIndexPage
from disclosure.models import DisclosureIndexPage
print("URLS", ColumnIndexPage.objects.live().first().url_path,
      ColumnArticlePage.objects.live().order_by("-date").first().url_path,
      DisclosureIndexPage.objects.live().first().url_path)
"""


def wrk(url: str, *, seconds: int, connections: int, headers=()) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of one wrk run; non-2xx answers fail the run."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        argv += ["-H", header]
    out = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*argv, url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url} answered errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    value, unit = float(p99.group(1)), p99.group(2)
    return rate, value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def page_path(url_path: str) -> str:
    """Wagtail's url_path includes the root page's slug: /home/column/ → /column/."""
    parts = url_path.strip("/").split("/")[1:]
    return "/" + "/".join(parts) + ("/" if parts else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is required: apt-get install wrk")

    topology = Topology.start()
    try:
        topology.manage("seed_demo", "--force", timeout=900)
        column, article, catalogue = (
            page_path(p)
            for p in topology.manage("shell", "--no-imports", "-c", ADDRESSES)
            .split("URLS", 1)[1]
            .split()
        )
        routes = {
            "home": "/",
            "column": column,
            "article": article,
            "catalogue": catalogue,
            "indicator": "/disclosure/indicators/34/",
            "robots.txt": "/robots.txt",
        }
        app = f"http://127.0.0.1:{topology.ports['app0']}"
        edge = f"https://localhost:{topology.ports['https']}"
        app_headers = ("X-Forwarded-Proto: https", "X-Forwarded-For: 127.0.0.2", "Host: localhost")
        static_dir = topology.dir / "var" / "static" / "bench"
        static_dir.mkdir(parents=True, exist_ok=True)
        run = {"seconds": args.seconds, "connections": args.connections}
        rows = []
        for name, path in routes.items():
            visitor = topology.resident("127.0.0.2")
            page = visitor.get(path)
            if page.status != 200:
                raise RuntimeError(f"{path}: HTTP {page.status}")
            static_name = f"{name.replace('.', '-')}.html"
            (static_dir / static_name).write_bytes(page.body)
            warm = {"seconds": 1, "connections": args.connections}
            wrk(app + path, headers=app_headers, **warm)
            hit = wrk(app + path, headers=app_headers, **run)
            full = wrk(app + path, headers=(*app_headers, "Cookie: sessionid=bench"), **run)
            wrk(edge + path, **warm)
            edge_hit = wrk(edge + path, **run)
            static = wrk(f"{edge}/static/bench/{static_name}", **run)
            rows.append((name, path, hit, full, edge_hit, static))

        print(
            f"\nwrk -t1 -c{args.connections} -d{args.seconds}s; gunicorn: one instance, "
            "2 sync workers; nginx: TLS, 1 worker; requests/s (p99 ms)\n"
        )
        header = (
            f"{'address':<12} {'gunicorn hit':>18} {'gunicorn full':>18} "
            f"{'nginx edge':>18} {'nginx static':>18} {'edge/static':>12}"
        )
        print(header)
        print("-" * len(header))
        for name, _path, hit, full, edge_hit, static in rows:
            cells = [f"{r:>9.0f} ({p:>5.1f})" for r, p in (hit, full, edge_hit, static)]
            ratio = edge_hit[0] / static[0]
            print(f"{name:<12} " + " ".join(f"{c:>18}" for c in cells) + f" {ratio:>11.0%}")

        # Staleness after a publish, as a visitor polling through nginx sees it.
        visitor = topology.resident("127.0.0.3")
        for _ in range(3):
            visitor.get("/deployed-notice/")
        marker = f"版本{int(time.time())}"
        topology.manage("shell", "--no-imports", "-c", PUBLISH % marker)
        published = time.monotonic()
        while marker not in visitor.get("/deployed-notice/").text:
            time.sleep(0.05)
        print(f"\nedge staleness after a publish: {time.monotonic() - published:.2f} s")
    finally:
        topology.stop()
        shutil.rmtree(topology.dir, ignore_errors=True)


if __name__ == "__main__":
    main()
