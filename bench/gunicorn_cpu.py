"""Shared by the benchmarks that drive gunicorn: the CPU time its workers have used."""

from __future__ import annotations

import os
from pathlib import Path


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of the gunicorn workers (children of the master), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return float("nan")
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total
