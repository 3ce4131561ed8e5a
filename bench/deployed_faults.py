"""Benchmark: the fault scenarios of `make deployed-test`, under more load, with their books.

    .venv/bin/python bench/deployed_faults.py [--scale 5]

Starts the deployed topology (tests/deployed/harness.py), puts the survey in a state where
exports can run (a first burst of answers), then runs each scenario of
tests/deployed/test_3_faults.py with ``--scale`` times the CI load (concurrent residents,
submissions before/after the fault, outage length): the database stopped mid-load, Redis stopped,
the object storage stopped, a task worker killed mid-export, an app instance killed under load.
Each scenario prints what became of every submission (accepted, refused with 503, in flight at
the fault) and ends with the integrity check; a failed check is printed, not hidden. Every
service it stops is one the harness started; all are stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=5)
    args = parser.parse_args()
    os.environ["PORTAL_DEPLOYED_FAULT_SCALE"] = str(args.scale)

    from tests.deployed import test_3_faults as faults
    from tests.deployed.harness import Topology
    from tests.deployed.load import burst

    print(f"load average before: {os.getloadavg()}", flush=True)
    topology = Topology.start()
    print(f"topology up: {topology.timings}", flush=True)
    failures = 0
    try:
        topology.wait_healthy()
        print(f"warm-up burst: {burst(topology, 120, 20).summary()}", flush=True)
        for name in (
            "test_database_stops_mid_load_503_with_retry_after_then_resumes_by_itself",
            "test_redis_stops_pages_keep_being_served_and_forms_accepted",
            "test_object_storage_stops_a_report_with_photos_is_refused_and_nothing_half_saved",
            "test_a_worker_killed_mid_export_leaves_no_half_file_and_the_job_is_marked_failed",
            "test_an_app_instance_killed_under_load_nginx_routes_to_the_other",
        ):
            topology.wait_healthy()
            started = time.monotonic()
            print(f"\n== {name}", flush=True)
            try:
                getattr(faults, name)(topology)
            except AssertionError:
                failures += 1
                print("FAILED:\n" + traceback.format_exc(limit=3))
            else:
                print(f"ok in {time.monotonic() - started:.1f} s; integrity: ok", flush=True)
        topology.wait_healthy()
        topology.sweep_orphan_photos()
        print(f"\nfinal integrity: {topology.integrity() or 'ok'}; failed scenarios: {failures}")
        print(f"load average after: {os.getloadavg()}")
    finally:
        topology.stop()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
