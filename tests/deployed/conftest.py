"""The deployed topology (tests/deployed/harness.py), started once per session.

These tests start real servers and take minutes, so they only run with PORTAL_DEPLOYED_TEST=1
(`make deployed-test`); the normal `make test` does not collect them. Files run in name order:
the topology checks, then the load, then the fault scenarios (which stop services).
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

if os.environ.get("PORTAL_DEPLOYED_TEST") != "1":
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def topology(request):
    from tests.deployed.harness import Topology

    topology = Topology.start()
    sys.stderr.write(f"\ndeployed topology up in {topology.dir}: {topology.timings}\n")
    yield topology
    failed = request.session.testsfailed
    if failed:
        sys.stderr.write("\n" + topology.logs_tail(30) + "\n")
    topology.stop()
    if not failed or os.environ.get("CI"):
        shutil.rmtree(topology.dir, ignore_errors=True)
    else:
        sys.stderr.write(f"kept {topology.dir} for inspection\n")


@pytest.fixture
def healthy(topology):
    """Every service running and both app instances answering before (and after) a test."""
    topology.wait_healthy()
    yield topology
    topology.wait_healthy()
