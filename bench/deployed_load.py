"""Benchmark: residents all posting at once through nginx to the deployed topology.

    .venv/bin/python bench/deployed_load.py [--surveys 1000] [--tipoffs 500] [--no-photo]

Starts the topology of `make deployed-test` (tests/deployed/harness.py: private PostgreSQL,
Redis and S3, two gunicorn instances with 2 workers each, two task workers, nginx with TLS, all
on loopback), then lets ``--surveys`` + ``--tipoffs`` virtual residents, each from its own
loopback address, open their form and wait at a barrier; all then post at the same moment
(one thread each, no retries, 90 s timeout). Reporters send a 320×240 JPEG with EXIF and then
open their confirmation page to read the tracking code.

Prints: accepted / lost / duplicated submissions (by a marker stored with each), duplicate
tracking codes, 5xx, the POST phase's wall time and throughput, p50/p99 latency per kind, and
the CPU time used during the POST phase by the gunicorn workers, nginx, PostgreSQL and Redis
(from /proc), per accepted submission. Then the integrity check. Everything is stopped at
the end. Not part of `make test`; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deployed.harness import Topology  # noqa: E402
from tests.deployed.load import account, burst  # noqa: E402


def tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and all its descendants (and their reaped children)."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        # utime + stime, plus cutime + cstime: children that exited (PostgreSQL backends,
        # recycled workers) and were reaped count in their parent.
        cpu[pid] = sum(int(x) for x in fields[11:15]) / tick
    total, stack = 0.0, [root_pid]
    while stack:
        pid = stack.pop()
        total += cpu.get(pid, 0.0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def cpu_by_role(topology: Topology) -> dict[str, float]:
    postmaster = int((topology.dir / "pg" / "postmaster.pid").read_text().split()[0])
    s = topology.services
    return {
        "gunicorn": tree_cpu_seconds(s["app0"].proc.pid) + tree_cpu_seconds(s["app1"].proc.pid),
        "nginx": tree_cpu_seconds(s["nginx"].proc.pid),
        "postgres": tree_cpu_seconds(postmaster),
        "redis": tree_cpu_seconds(s["redis"].proc.pid),
        "workers": tree_cpu_seconds(s["worker0"].proc.pid)
        + tree_cpu_seconds(s["worker1"].proc.pid),
        "s3": tree_cpu_seconds(s["s3-backend"].proc.pid) + tree_cpu_seconds(s["s3"].proc.pid),
    }


def page_views(topology: Topology, count: int) -> None:
    """Anonymous visitors reading cached pages through nginx: CPU per view by role."""
    from concurrent.futures import ThreadPoolExecutor

    paths = ["/", "/deployed-notice/"]

    def view(i: int) -> int:
        return topology.resident(f"127.2.{i // 250 % 250}.{i % 250 + 1}").get(paths[i % 2]).status

    for i in range(20):  # fill the page cache
        view(i)
    before, started = cpu_by_role(topology), time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(view, range(count)))
    wall, after = time.monotonic() - started, cpu_by_role(topology)
    used = {role: after[role] - before[role] for role in after}
    print(
        f"page views: {count} in {wall:.1f} s ({count / wall:.0f}/s), statuses "
        f"{ {s: statuses.count(s) for s in set(statuses)} }; CPU ms per view: "
        + ", ".join(f"{role} {seconds * 1000 / count:.2f}" for role, seconds in used.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=1000)
    parser.add_argument("--tipoffs", type=int, default=500)
    parser.add_argument("--no-photo", action="store_true")
    parser.add_argument(
        "--page-views",
        type=int,
        default=0,
        help="afterwards, this many anonymous page views (home and a page, cached) from 8 threads",
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    started = time.monotonic()
    topology = Topology.start()
    print(f"topology up in {time.monotonic() - started:.0f} s: {topology.timings}", flush=True)
    try:
        topology.wait_healthy()
        marks: dict[str, object] = {}

        def at_barrier():
            marks["cpu"] = cpu_by_role(topology)

        result = burst(
            topology, args.surveys, args.tipoffs, photo=not args.no_photo, at_barrier=at_barrier
        )
        cpu_after = cpu_by_role(topology)
        phase = result.post_phase()
        books = account(topology, result)
        accepted = books["accepted"]
        print(
            f"residents: {args.surveys} survey answers + {args.tipoffs} reports, photo: {not args.no_photo}"
        )
        print(
            f"statuses: {dict(result.statuses())}; errors: {sorted({o.error for o in result.outcomes if o.error})[:5]}"
        )
        print(
            f"accepted {accepted}, lost {len(books['lost'])}, duplicated {len(books['duplicated'])}, "
            f"5xx/no answer {len(result.server_errors())}, tracking codes missing "
            f"{books['codes_missing']}, duplicate codes {books['codes_duplicate']}"
        )
        print(f"POST phase {phase:.1f} s → {accepted / phase:.1f} submissions/s")
        for kind in ("survey", "tipoff"):
            if result.of(kind):
                print(
                    f"  {kind}: p50 {result.percentile(50, kind) * 1000:.0f} ms, "
                    f"p99 {result.percentile(99, kind) * 1000:.0f} ms, "
                    f"max {result.percentile(100, kind) * 1000:.0f} ms"
                )
        before = marks["cpu"]
        used = {role: cpu_after[role] - before[role] for role in cpu_after}
        total = sum(used.values())
        print(
            "CPU during the POST phase (s): "
            + ", ".join(f"{role} {seconds:.1f}" for role, seconds in used.items())
            + f"; total {total:.1f}"
        )
        if accepted:
            print(
                "CPU ms per accepted submission: "
                + ", ".join(
                    f"{role} {seconds * 1000 / accepted:.1f}" for role, seconds in used.items()
                )
                + f"; total {total * 1000 / accepted:.1f} (reporters' confirmation page included)"
            )
        if args.page_views:
            page_views(topology, args.page_views)
        topology.sweep_orphan_photos()
        print(f"integrity: {topology.integrity() or 'ok'}")
        print(f"load average after: {os.getloadavg()}")
    finally:
        topology.stop()


if __name__ == "__main__":
    main()
