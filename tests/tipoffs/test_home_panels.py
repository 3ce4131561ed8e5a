"""The intake officer's and the handlers' start pages (portal_home_panels)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.tipoffs import selectors, workflow
from portal.tipoffs.models import State, Tipoff, TipoffPhoto
from tests.tipoffs.conftest import T0

TODAY = T0.date()


@pytest.fixture
def pinned_clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: T0)


def _due(case, day):
    Tipoff.objects.filter(pk=case.pk).update(due_date=day)


def _photo(case, *, approved):
    return TipoffPhoto.objects.create(
        tipoff=case,
        original="evidence/x.jpg",
        original_sha256="0" * 64,
        original_content_type="image/jpeg",
        original_size=1,
        cleaned="evidence/x-clean.jpg",
        width=1,
        height=1,
        public_approved=approved,
    )


@pytest.fixture
def seeded(case_in, submit, intake, dept_b):
    """One case in each queue of the intake officer's start page, and some that are in none."""
    new = case_in(State.SUBMITTED)
    _due(new, TODAY + dt.timedelta(days=10))
    due_soon = case_in(State.ASSIGNED)
    _due(due_soon, TODAY + dt.timedelta(days=3))
    overdue = case_in(State.INVESTIGATING)
    _due(overdue, TODAY - dt.timedelta(days=1))
    later = case_in(State.ACCEPTED)
    _due(later, TODAY + dt.timedelta(days=4))
    closed = case_in(State.CLOSED)
    Tipoff.objects.filter(pk=closed.pk).update(
        is_public=True, due_date=TODAY - dt.timedelta(days=9)
    )
    _photo(closed, approved=False)
    _photo(closed, approved=False)
    shown = case_in(State.CLOSED)
    Tipoff.objects.filter(pk=shown.pk).update(is_public=True)
    _photo(shown, approved=True)
    hidden = case_in(State.CLOSED)  # not public: its photos never show, nothing to approve
    Tipoff.objects.filter(pk=hidden.pk).update(is_public=False)
    _photo(hidden, approved=False)
    # A case of department B, overdue: handler A must not count it.
    other = submit(now=T0)
    other = workflow.tipoff_accept(tipoff=other, actor=intake, now=T0)
    other = workflow.tipoff_assign(tipoff=other, actor=intake, departments=[dept_b], now=T0)
    _due(other, TODAY - dt.timedelta(days=2))
    return {"due_soon": due_soon, "overdue": overdue, "later": later, "other": other}


def test_the_intake_counts_come_from_one_query(seeded, intake, django_assert_num_queries):
    selectors.can_see_all(intake)  # the user's permissions, cached on the user for the request
    with django_assert_num_queries(1):
        counts = selectors.intake_home_counts(user=intake, today=TODAY)
    assert counts == {"new": 1, "due_soon": 1, "overdue": 2, "photos": 1}


def test_the_intake_officers_start_page_shows_the_counts_linking_to_their_queues(
    seeded, intake, client, pinned_clock
):
    client.force_login(intake)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="home-intake"' in html
    index = reverse("tipoffs_admin:index")
    for key, count in {"new": 1, "due_soon": 1, "overdue": 2, "photos": 1}.items():
        assert f'<a href="{index}?queue={key}" data-count="{key}"><strong>{count}</strong>' in html
    assert "新举报" in html or "待受理" in html or "逾期" in html  # translated labels
    assert 'data-testid="home-handler"' not in html
    # Wagtail's page panels are for people who edit pages.
    assert "recent-edits" not in html


def test_each_count_matches_the_list_it_links_to(seeded, intake, client, pinned_clock):
    client.force_login(intake)
    counts = selectors.intake_home_counts(user=intake, today=TODAY)
    for queue, expected in counts.items():
        response = client.get(reverse("tipoffs_admin:index"), {"queue": queue})
        assert response.context["page_obj"].paginator.count == expected, queue


def test_a_handler_sees_only_their_departments_cases_by_deadline(
    seeded, handler_a, handler_b, client, pinned_clock, django_assert_num_queries
):
    workflow.is_handler(handler_a)  # permissions cached on the user
    with django_assert_num_queries(3):
        data = selectors.handler_home_cases(user=handler_a, today=TODAY)
    # "later" is accepted but not yet assigned: no department's case.
    assert [case.pk for case in data["cases"]] == [seeded["overdue"].pk, seeded["due_soon"].pk]
    assert data["counts"] == {"open": 2, "overdue": 1, "due_soon": 1}

    client.force_login(handler_a)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-testid="home-handler"' in html
    assert seeded["overdue"].reference in html
    assert seeded["other"].reference not in html
    assert 'data-testid="home-intake"' not in html

    client.force_login(handler_b)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert seeded["other"].reference in html
    assert seeded["overdue"].reference not in html


def test_a_resident_cannot_reach_the_admin_home(resident, client):
    client.force_login(resident)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code in (302, 403)
    assert 'data-testid="home-' not in response.content.decode()
