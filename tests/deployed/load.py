"""Concurrent residents through nginx: survey answers and pollution reports with a photo.

Each virtual resident has its own loopback source address (127.1.x.y), user agent and cookies,
opens the form (CSRF cookie and token), waits at a barrier with all the others, then posts at
once; a reporter then opens the confirmation page to read the tracking code, as a person would.
Every submission carries a unique marker (in the survey's free-text answer, in the report's
description), so the database can be asked afterwards what became of each one. Bounded: a fixed
number of submissions, per-request timeouts, no retries. Used by the deployed tests and by
``bench/deployed_load.py`` / ``bench/deployed_faults.py``.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.deployed.harness import (
    SURVEY_PATH,
    SURVEY_SLUG,
    TIPOFF_PATH,
    Resident,
    Topology,
    photo_bytes,
    survey_fields,
    tipoff_fields,
)

CODE_RE = re.compile(r'data-testid="tracking-code">([^<]+)<')


def source_address(i: int) -> str:
    """A distinct loopback address per resident number (62,500 per second octet)."""
    return f"127.{1 + (i // 62_500) % 254}.{(i // 250) % 250}.{i % 250 + 1}"


_numbers = itertools.count(100_000)
_numbers_lock = threading.Lock()


def next_resident_number() -> int:
    with _numbers_lock:
        return next(_numbers)


@dataclass
class Outcome:
    kind: str  # "survey" or "tipoff"
    marker: str
    status: int = 0  # 0: no HTTP answer (connection error)
    accepted: bool = False
    elapsed: float = 0.0
    code: str = ""
    error: str = ""
    retry_after: str = ""
    sent: float = 0.0  # perf_counter when the POST left / its answer came back
    answered: float = 0.0


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    wall: float = 0.0

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def accepted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.accepted]

    def statuses(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    def server_errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status >= 500 or o.status == 0]

    def post_phase(self) -> float:
        """Seconds from the first POST sent to the last answer received."""
        posted = [o for o in self.outcomes if o.sent]
        if not posted:
            return float("nan")
        return max(o.answered for o in posted) - min(o.sent for o in posted)

    def percentile(self, p: float, kind: str | None = None) -> float:
        times = sorted(o.elapsed for o in self.outcomes if o.accepted and kind in (None, o.kind))
        if not times:
            return float("nan")
        return times[min(len(times) - 1, int(p / 100 * len(times)))]

    def summary(self) -> str:
        lines = [f"wall {self.wall:.1f} s, statuses {dict(self.statuses())}"]
        for kind in ("survey", "tipoff"):
            items = self.of(kind)
            if not items:
                continue
            ok = [o for o in items if o.accepted]
            lines.append(
                f"{kind}: {len(ok)}/{len(items)} accepted, "
                f"p50 {self.percentile(50, kind) * 1000:.0f} ms, "
                f"p99 {self.percentile(99, kind) * 1000:.0f} ms"
            )
        return "; ".join(lines)


def _accepted(kind: str, reply) -> bool:
    if reply.status != 302:
        return False
    return "/thanks/" in reply.location if kind == "survey" else "/done" in reply.location


def submit_one(
    topology: Topology,
    kind: str,
    i: int,
    *,
    photo: bytes | None = None,
    barrier: threading.Barrier | None = None,
    gate: threading.Semaphore | None = None,
    resident: Resident | None = None,
    rng: random.Random | None = None,
    slot: int | None = None,
) -> Outcome:
    rng = rng or random.Random(i)
    marker = f"M{uuid.uuid4().hex}"
    outcome = Outcome(kind, marker)
    resident = resident or topology.resident(source_address(i))
    path = SURVEY_PATH if kind == "survey" else TIPOFF_PATH
    try:
        form = resident.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    except Exception as exc:
        form, token, outcome.error = None, None, f"form: {exc!r}"
    if gate is not None:
        gate.release()  # the next resident may open the form while this one waits
    if token is None:
        if form is not None:  # e.g. 503 while the database is down: the resident sees that
            outcome.status = form.status
            outcome.retry_after = form.headers.get("retry-after", "")
            outcome.error = f"form: HTTP {form.status}"
        if barrier is not None:
            barrier.abort()
        return outcome
    token = token.group(1)
    if kind == "survey":
        fields, files = survey_fields(rng, marker, slot), ()
    else:
        phone = f"138{i:08d}"[-11:]
        fields = tipoff_fields(topology, marker, phone)
        files = [("photos", "photo.jpg", photo)] if photo else ()
    if barrier is not None:
        barrier.wait(timeout=600)
    outcome.sent = time.perf_counter()
    try:
        reply = resident.post(path, fields, files, token=token)
    except Exception as exc:
        outcome.error = repr(exc)
        return outcome
    finally:
        outcome.answered = time.perf_counter()
    outcome.status, outcome.elapsed = reply.status, reply.elapsed
    outcome.retry_after = reply.headers.get("retry-after", "")
    outcome.accepted = _accepted(kind, reply)
    if outcome.accepted and kind == "tipoff":
        try:
            # The code page is in the session until shown: a resident who meets the 503 page
            # ("please try again shortly") reloads it, as its text asks.
            done = resident.get(reply.location)
            for _attempt in range(90):
                if done.status != 503:
                    break
                time.sleep(1)
                done = resident.get(reply.location)
            match = CODE_RE.search(done.text)
            outcome.code = match.group(1).strip() if match else ""
        except Exception as exc:
            outcome.error = f"done page: {exc!r}"
    return outcome


def burst(
    topology: Topology, surveys: int, tipoffs: int, *, photo: bool = True, at_barrier=None
) -> LoadResult:
    """``surveys`` + ``tipoffs`` residents, all posting at the same moment (one thread each).

    ``at_barrier`` is called once, when every resident has its form and none has posted yet."""
    picture = photo_bytes(7) if photo else None
    total = surveys + tipoffs
    barrier = threading.Barrier(total, action=at_barrier)
    numbers = [next_resident_number() for _ in range(total)]
    kinds = ["survey"] * surveys + ["tipoff"] * tipoffs
    random.Random(1).shuffle(kinds)
    # The n-th survey of the burst answers for the n-th weighting cell (see survey_fields).
    slots = [kinds[:i].count(kind) for i, kind in enumerate(kinds)]
    result = LoadResult()
    outcomes: list[Outcome | None] = [None] * total
    gate = threading.Semaphore(16)

    def run(i: int) -> None:
        gate.acquire()  # opening the forms is spread out; the posts are simultaneous
        outcomes[i] = submit_one(
            topology,
            kinds[i],
            numbers[i],
            photo=picture,
            barrier=barrier,
            gate=gate,
            slot=slots[i],
        )

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(total)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    result.wall = time.monotonic() - started
    result.outcomes = [o for o in outcomes if o is not None]
    return result


class Stream:
    """Residents submitting one after another from ``concurrency`` threads until stopped."""

    def __init__(self, topology: Topology, *, concurrency: int = 4, tipoff_share: float = 0.3):
        self.topology = topology
        self.concurrency = concurrency
        self.tipoff_share = tipoff_share
        self.result = LoadResult()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(concurrency)
        self._photo = photo_bytes(3)
        self._started = 0.0

    def _loop(self, n: int) -> None:
        rng = random.Random(n)
        while not self._stop.is_set():
            i = next_resident_number()
            kind = "tipoff" if rng.random() < self.tipoff_share else "survey"
            outcome = submit_one(self.topology, kind, i, photo=self._photo, rng=rng)
            with self._lock:
                self.result.outcomes.append(outcome)

    def __enter__(self) -> Stream:
        self._started = time.monotonic()
        for n in range(self.concurrency):
            self._pool.submit(self._loop, n)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)
        self.result.wall = time.monotonic() - self._started

    def count(self) -> int:
        with self._lock:
            return len(self.result.outcomes)


def rows_by_marker(topology: Topology, outcomes: list[Outcome]) -> dict[str, int]:
    """How many stored rows carry each marker (survey answers' text, reports' description)."""
    markers = [o.marker for o in outcomes]
    if not markers:
        return {}
    counts: Counter = Counter()
    survey_rows = topology.sql(
        "SELECT a.text, count(DISTINCT a.response_id) FROM surveys_answer a "
        "JOIN surveys_response r ON r.id = a.response_id JOIN surveys_survey s ON s.id = r.survey_id "
        "WHERE s.slug = %s AND a.text = ANY(%s) GROUP BY 1",
        (SURVEY_SLUG, markers),
    )
    counts.update(dict(survey_rows))
    for (description,) in topology.sql(
        "SELECT description FROM tipoffs_tipoff WHERE right(description, 33) = ANY(%s)",
        (markers,),
    ):
        counts[description[-33:]] += 1
    return {marker: counts.get(marker, 0) for marker in markers}


def account(topology: Topology, result: LoadResult) -> dict[str, object]:
    """What became of every submission: accepted ones stored once, refused ones not at all."""
    rows = rows_by_marker(topology, result.outcomes)
    lost = [o.marker for o in result.accepted if rows[o.marker] == 0]
    duplicated = [m for m, n in rows.items() if n > 1]
    refused_but_stored = [o for o in result.outcomes if not o.accepted and rows[o.marker] > 0]
    codes = [o.code for o in result.accepted if o.kind == "tipoff"]
    return {
        "accepted": len(result.accepted),
        "lost": lost,
        "duplicated": duplicated,
        "refused_but_stored": refused_but_stored,
        "codes_missing": sum(1 for c in codes if not c),
        "codes_duplicate": len(codes) - len(set(codes)),
    }
