"""Public statistics: the definitions in docs/tipoffs.md, computed from cases in every state."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.tipoffs import stats, workflow
from portal.tipoffs.models import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def mix(case_in, submit):
    resolved = case_in(State.RESOLVED)  # answered on the day of acceptance: on time, 0 days
    workflow.tipoff_rate(tipoff=resolved, rating=4, comment="")
    case_in(State.NOT_ACCEPTED)
    case_in(State.ASSIGNED)  # handling deadline in November 2026
    case_in(State.MERGED)  # one merged duplicate (left out) and its open master
    return resolved


def test_rates_median_and_satisfaction_follow_the_documented_definitions(mix):
    data = stats.compute(today=dt.date(2027, 3, 1))
    # merged duplicate left out: resolved, not accepted, assigned, master awaiting a decision
    assert data["total"] == 4
    assert data["acceptance_rate"] == 66.7  # 2 accepted / (2 + 1 not accepted)
    # 1 on time; late: the assigned case and the undecided master, both past their deadline
    assert (data["on_time"], data["late"]) == (1, 2)
    assert data["on_time_rate"] == 33.3
    assert data["median_days"] == 0
    assert data["satisfaction"] == 4.0 and data["satisfied_share"] == 100.0
    assert dict(data["by_month"])["2026-09"] == 4
    assert dict(data["by_category"]) == {"大气污染": 4}


def test_open_cases_within_their_deadline_are_not_late(mix):
    data = stats.compute(today=dt.date(2026, 9, 8))
    assert (data["on_time"], data["late"]) == (1, 0)
    assert data["on_time_rate"] == 100.0


def test_the_statistics_page_shows_the_figures(client, mix):
    page = client.get("/en/tipoffs/stats").content.decode()
    assert "66.7" in page and "33.3" in page
