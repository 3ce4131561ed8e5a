"""Faults under load, with nothing lost: each stops only a private service the harness started.

After every scenario the integrity check runs: accepted submissions are rows (once each), codes
unique, every photo row has its file and no file lacks a row (after the orphan sweep that runs
daily in production), no partial rows, ledger balances intact. The same scenarios with larger
counts: `bench/deployed_faults.py`.
"""

from __future__ import annotations

import os
import re
import sys
import time

from tests.deployed.harness import (
    APP_WORKERS,
    BUCKETS,
    ENQUEUE_EXPORTS,
    EXPIRE_STALE_EXPORTS,
    SURVEY_PATH,
    SURVEY_SLUG,
    TIPOFF_PATH,
    photo_bytes,
    tipoff_fields,
)
from tests.deployed.load import Stream, account, submit_one

#: bench/deployed_faults.py runs the same scenarios with more load (CI: 1).
SCALE = int(os.environ.get("PORTAL_DEPLOYED_FAULT_SCALE", "1"))


def _settle(topology, result, *, allow_unconfirmed: int = 0):
    """Books of a scenario: accepted = stored once; refused = not stored (a few in flight at the
    moment of the fault may have committed without the resident being told: reported)."""
    books = account(topology, result)
    sys.stderr.write(
        f"\n{result.summary()}; books {books | {'refused_but_stored': len(books['refused_but_stored'])}}\n"
    )
    assert books["lost"] == [], "accepted submissions without a row"
    assert books["duplicated"] == []
    assert books["codes_missing"] == 0 and books["codes_duplicate"] == 0
    assert len(books["refused_but_stored"]) <= allow_unconfirmed
    topology.sweep_orphan_photos()
    assert topology.integrity() == {}
    return books


def _wait_for(predicate, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def test_database_stops_mid_load_503_with_retry_after_then_resumes_by_itself(healthy):
    topology = healthy
    with Stream(topology, concurrency=4 * SCALE) as stream:
        _wait_for(lambda: stream.count() >= 10 * SCALE)
        topology.stop_postgres("fast")
        try:
            probe = topology.resident("127.0.0.20")
            page = probe.get("/tipoffs/new")
            assert page.status == 503
            assert page.headers["retry-after"] == "30"
            assert "503" in page.text and "请稍后再试" in page.text
            api = probe.get("/open311/v2/services.json", Accept="application/json")
            assert api.status == 503 and api.headers["retry-after"] == "30"
            assert b'"unavailable"' in api.body
            time.sleep(2 * SCALE)
        finally:
            topology.start_postgres()
        outage_end = stream.count()
        assert _wait_for(lambda: stream.count() >= outage_end + 20 * SCALE, timeout=90 * SCALE)
    result = stream.result
    statuses = result.statuses()
    assert set(statuses) <= {302, 503}, statuses
    assert all(o.retry_after == "30" for o in result.outcomes if o.status == 503)
    assert statuses[503] > 0 and statuses[302] > 0
    # Service resumed by itself: the last submissions were accepted again.
    assert all(o.accepted for o in result.outcomes[-8:])
    _settle(topology, result, allow_unconfirmed=4 * SCALE)


def test_redis_stops_pages_keep_being_served_and_forms_accepted(healthy):
    topology = healthy
    redis = topology.services["redis"]
    redis.stop()
    try:
        visitor = topology.resident("127.0.0.21")
        for app in (None, 0, 1):
            assert visitor.via(app).get("/").status == 200
            assert visitor.via(app).get("/deployed-notice/").status == 200
        with Stream(topology, concurrency=3 * SCALE) as stream:
            _wait_for(lambda: stream.count() >= 12 * SCALE, timeout=60 * SCALE)
        assert stream.result.statuses() == {302: len(stream.result.outcomes)}
        # A session (kept in the database by cached_db) still works across instances.
        reporter = topology.resident("127.0.0.22", app=0)
        reply = reporter.post(TIPOFF_PATH, tipoff_fields(topology, "redis-down", "13600000001"))
        assert reply.status == 302
        assert reporter.via(1).get(reply.location).status == 200
    finally:
        redis.start()
    _settle(topology, stream.result)


def test_object_storage_stops_a_report_with_photos_is_refused_and_nothing_half_saved(healthy):
    topology = healthy
    s3 = topology.services["s3"]
    files_before = topology.s3_keys(BUCKETS["private"], "tipoffs/")
    s3.stop()
    try:
        reporter = topology.resident("127.0.0.23")
        refused = submit_one(topology, "tipoff", 23_000, photo=photo_bytes(5), resident=reporter)
        assert refused.status == 503 and not refused.accepted
        assert refused.retry_after == "30"
        page = reporter.post(
            TIPOFF_PATH,
            tipoff_fields(topology, "s3-down-page", "13600000002"),
            [("photos", "p.jpg", photo_bytes(6))],
        )
        assert page.status == 503
        assert "文件存储暂时无法响应" in page.text  # "the file store is not answering…"
        # Without a photo nothing needs the object storage: still accepted.
        plain = submit_one(topology, "tipoff", 23_001, photo=None)
        assert plain.accepted
        survey = submit_one(topology, "survey", 23_002)
        assert survey.accepted
    finally:
        s3.start()
    assert topology.s3_keys(BUCKETS["private"], "tipoffs/") == files_before
    after = submit_one(topology, "tipoff", 23_003, photo=photo_bytes(7))
    assert after.accepted
    from tests.deployed.load import LoadResult

    _settle(topology, LoadResult([refused, plain, survey, after]))
    assert topology.sql(
        "SELECT count(*) FROM tipoffs_tipoff WHERE description LIKE %s", ("%s3-down-page",)
    ) == [(0,)]


def test_object_storage_hangs_the_resident_gets_the_503_page_not_a_gateway_error(healthy):
    """The store accepts connections and never answers (its forwarder is frozen with SIGSTOP:
    a hung MinIO, a partition that drops packets). The read timeout (PORTAL_S3_READ_TIMEOUT)
    ends the wait long before gunicorn's: the portal's own 503 page, nothing saved."""
    import signal

    topology = healthy
    s3 = topology.services["s3"]
    files_before = topology.s3_keys(BUCKETS["private"], "tipoffs/")
    s3.send(signal.SIGSTOP)
    try:
        page = topology.resident("127.0.0.24").post(
            TIPOFF_PATH,
            tipoff_fields(topology, "s3-hung-page", "13600000003"),
            [("photos", "p.jpg", photo_bytes(8))],
        )
        assert page.status == 503, page.status  # nginx would say 502/504 after gunicorn's 60 s
        assert page.headers.get("retry-after") == "30"
        assert "文件存储暂时无法响应" in page.text
    finally:
        s3.send(signal.SIGCONT)
    assert topology.s3_keys(BUCKETS["private"], "tipoffs/") == files_before
    assert topology.sql(
        "SELECT count(*) FROM tipoffs_tipoff WHERE description LIKE %s", ("%s3-hung-page",)
    ) == [(0,)]
    after = submit_one(topology, "tipoff", 24_001, photo=photo_bytes(9))
    assert after.accepted


def test_a_worker_killed_mid_export_leaves_no_half_file_and_the_job_is_marked_failed(healthy):
    import psycopg

    topology = healthy
    # Hold the export at its first read of the answers (a table lock), so the worker can be
    # killed while the job is really running, whatever the machine's speed.
    with psycopg.connect(topology.pg_dsn()) as lock:
        lock.execute("LOCK TABLE surveys_answer IN ACCESS EXCLUSIVE MODE")
        out = topology.manage(
            "shell", "--no-imports", "-c", ENQUEUE_EXPORTS % (SURVEY_SLUG, ["microdata_sav"])
        )
        caught = int(out.split("JOBS", 1)[1].split()[0])
        assert _wait_for(
            lambda: (
                topology.sql("SELECT status FROM surveys_exportjob WHERE id=%s", (caught,))
                == [("running",)]
            ),
            timeout=60,
        )
        (worker_ids,) = topology.sql(
            "SELECT worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE %s AND args_kwargs->'args'->>0 = %s",
            ("%run_export_job", str(caught)),
        )[0]
        victim = topology.services[worker_ids[0].removeprefix("deployed-")]
        starts = victim.starts
        victim.kill()  # SIGKILL mid-export; the supervisor restarts it like systemd
        lock.rollback()
    time.sleep(1)
    row = topology.sql(
        "SELECT status, file = '', sha256 FROM surveys_exportjob WHERE id=%s", (caught,)
    )[0]
    assert row == ("running", True, "")  # no half file: the file is recorded only when complete
    # The daily survey_purge marks jobs that lost their worker as failed (after 6 hours).
    topology.manage("shell", "--no-imports", "-c", EXPIRE_STALE_EXPORTS)
    row = topology.sql("SELECT status, file = '' FROM surveys_exportjob WHERE id=%s", (caught,))
    assert row == [("failed", True)]
    # Starting the export again works, once, on the restarted workers.
    out = topology.manage(
        "shell", "--no-imports", "-c", ENQUEUE_EXPORTS % (SURVEY_SLUG, ["microdata_sav"])
    )
    again = int(out.split("JOBS", 1)[1].split()[0])
    assert _wait_for(
        lambda: (
            topology.sql("SELECT status FROM surveys_exportjob WHERE id=%s", (again,))
            == [("done",)]
        ),
        timeout=120,
    )
    assert victim.starts > starts
    assert topology.integrity() == {}


def test_an_app_instance_killed_under_load_nginx_routes_to_the_other(healthy):
    topology = healthy
    app0 = topology.services["app0"]
    with Stream(topology, concurrency=4 * SCALE) as stream:
        _wait_for(lambda: stream.count() >= 10 * SCALE)
        app0.restart = False
        killed_at = stream.count()
        app0.kill()
        try:
            assert _wait_for(lambda: stream.count() >= killed_at + 25 * SCALE, timeout=120 * SCALE)
            # Only app1 is left, and residents are served.
            assert topology.resident("127.0.0.24").get("/").status == 200
        finally:
            app0.start()
            app0.restart = True
    result = stream.result
    failures = [o for o in result.outcomes if not o.accepted]
    # Only requests in flight inside the killed instance can fail (at most one per worker).
    assert len(failures) <= APP_WORKERS, [(o.status, o.error) for o in failures]
    assert all(o.status in (0, 502) for o in failures)
    _settle(topology, result, allow_unconfirmed=APP_WORKERS)


def test_the_whole_run_left_consistent_data(topology):
    topology.wait_healthy()
    topology.sweep_orphan_photos()
    assert topology.integrity() == {}
    survey_rows = topology.sql(
        "SELECT count(*) FROM surveys_response r JOIN surveys_survey s ON s.id = r.survey_id "
        "WHERE s.slug = %s",
        (SURVEY_SLUG,),
    )[0][0]
    assert survey_rows > 0
    assert re.match(r"^/surveys/s/", SURVEY_PATH)
