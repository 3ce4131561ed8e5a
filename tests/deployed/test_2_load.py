"""Many residents at once through nginx: nothing lost, no duplicate codes, no server error.

CI counts (PORTAL_DEPLOYED_SURVEYS / PORTAL_DEPLOYED_TIPOFFS, default 100 + 50); the full
1,000 + 500 run is `bench/deployed_load.py`, figures in docs/performance.md.
"""

from __future__ import annotations

import os
import sys
import time

from tests.deployed.harness import ENQUEUE_EXPORTS, SURVEY_SLUG
from tests.deployed.load import account, burst

SURVEYS = int(os.environ.get("PORTAL_DEPLOYED_SURVEYS", "150"))  # >= 120: see survey_fields
TIPOFFS = int(os.environ.get("PORTAL_DEPLOYED_TIPOFFS", "50"))


def test_concurrent_surveys_and_reports_with_photos_lose_nothing(healthy):
    topology = healthy
    result = burst(topology, SURVEYS, TIPOFFS, photo=True)
    sys.stderr.write(f"\nload: {result.summary()}\n")
    assert len(result.outcomes) == SURVEYS + TIPOFFS
    assert result.server_errors() == []
    assert [o for o in result.outcomes if not o.accepted] == []
    books = account(topology, result)
    assert books["accepted"] == SURVEYS + TIPOFFS
    assert books["lost"] == [] and books["duplicated"] == []
    assert books["codes_missing"] == 0 and books["codes_duplicate"] == 0
    assert topology.integrity() == {}


# After the load: the survey now has answers in every margin category, so exports can weight.
def test_an_export_job_is_processed_exactly_once_with_two_workers(healthy):
    topology = healthy
    kinds = ["codebook_csv", "microdata_csv", "report_xlsx"] * 2
    out = topology.manage("shell", "--no-imports", "-c", ENQUEUE_EXPORTS % (SURVEY_SLUG, kinds))
    jobs = [int(x) for x in out.split("JOBS", 1)[1].split()]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = topology.sql("SELECT status FROM surveys_exportjob WHERE id = ANY(%s)", (jobs,))
        if all(status in ("done", "failed") for (status,) in rows):
            break
        time.sleep(0.5)
    rows = topology.sql(
        "SELECT id, status, message FROM surveys_exportjob WHERE id = ANY(%s)", (jobs,)
    )
    tasks = topology.sql(
        "SELECT args_kwargs, status, worker_ids, return_value "
        "FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s",
        ("%run_export_job",),
    )
    # A job left queued after its task said "nothing to do" was skipped as locked by the other
    # worker: the lock must take the job's row only (surveys.tasks._lock_job).
    assert [status for _, status, _ in rows] == ["done"] * len(jobs), (rows, tasks)
    by_job: dict[int, list] = {}
    for args_kwargs, status, worker_ids, _returned in tasks:
        by_job.setdefault(args_kwargs["args"][0], []).append((status, worker_ids))
    for job in jobs:
        assert len(by_job[job]) == 1, by_job[job]
        status, worker_ids = by_job[job][0]
        assert status == "SUCCESSFUL" and len(worker_ids) == 1, (status, worker_ids)
