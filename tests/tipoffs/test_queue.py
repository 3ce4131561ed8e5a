"""The staff queue: filters, department scoping and a bounded, constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.tipoffs import workflow
from portal.tipoffs.models import Category, State
from tests.factories import PASSWORD
from tests.tipoffs.conftest import T0, TZ

# Measured: session, user, permissions, Wagtail's admin menu, the filter form's three lists,
# the sub-category ids, the count, the page and its departments. Must not grow with the data.
QUEUE_QUERY_CEILING = 20


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def queue_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("tipoffs_admin:index") + (f"?{query}" if query else "")


@pytest.fixture
def assigned_to(submit, intake):
    def _assigned_to(department, *, code="air-dust", now=T0):
        case = submit(category=Category.objects.get(code=code), now=now)
        case = workflow.tipoff_accept(tipoff=case, actor=intake, now=now)
        return workflow.tipoff_assign(tipoff=case, actor=intake, departments=[department], now=now)

    return _assigned_to


def test_a_handlers_filtered_queue_runs_a_bounded_constant_number_of_queries(
    client, handler_a, dept_a, assigned_to, django_assert_max_num_queries
):
    login(client, handler_a)
    air = Category.objects.get(code="air")
    url = queue_url(queue="open", category=air.pk)
    assigned_to(dept_a)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    for _ in range(4):
        assigned_to(dept_a)
    with django_assert_max_num_queries(QUEUE_QUERY_CEILING):
        response = client.get(url)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert len(response.context["page_obj"]) == 5


def test_a_top_level_category_filter_covers_its_subcategories_within_the_handlers_departments(
    client, handler_a, dept_a, dept_b, assigned_to
):
    dust = assigned_to(dept_a, code="air-dust")
    odour = assigned_to(dept_a, code="air-odour")
    water = assigned_to(dept_a, code="water-black")
    elsewhere = assigned_to(dept_b, code="air-dust")
    login(client, handler_a)
    air = Category.objects.get(code="air")

    listed = {t.pk for t in client.get(queue_url(queue="all", category=air.pk)).context["page_obj"]}
    assert listed == {dust.pk, odour.pk}

    listed = {t.pk for t in client.get(queue_url(queue="all")).context["page_obj"]}
    assert listed == {dust.pk, odour.pk, water.pk}
    assert elsewhere.pk not in listed


def test_the_queue_lists_only_what_the_page_shows_and_keeps_the_departments(
    client, intake, dept_a, assigned_to
):
    case = assigned_to(dept_a)
    login(client, intake)
    response = client.get(queue_url(queue="open"))
    body = response.content.decode()
    assert case.reference in body
    assert dept_a.name in body
    row = response.context["page_obj"][0]
    # The list never loads the report's text, address or the reporter-facing fields.
    assert {"description", "address", "extra_answers"} <= row.get_deferred_fields()


def test_submission_date_filters_cover_whole_local_days(client, intake, submit):
    late_evening = submit(now=dt.datetime(2026, 9, 7, 23, 30, tzinfo=TZ))  # 15:30 UTC
    early_morning = submit(now=dt.datetime(2026, 9, 8, 0, 15, tzinfo=TZ))  # 16:15 UTC the 7th
    login(client, intake)

    def listed(**params):
        page = client.get(queue_url(queue="all", **params)).context["page_obj"]
        return {t.pk for t in page}

    assert listed(date_from="2026-09-07", date_to="2026-09-07") == {late_evening.pk}
    assert listed(date_from="2026-09-08", date_to="2026-09-08") == {early_morning.pk}
    assert listed(date_from="2026-09-07") == {late_evening.pk, early_morning.pk}
    assert listed(date_to="2026-09-06") == set()


def test_the_open_queue_is_in_deadline_order_and_leaves_closed_cases_out(client, intake, case_in):
    closed = case_in(State.CLOSED)
    first = case_in(State.ASSIGNED, now=T0)
    later = case_in(State.ASSIGNED, now=T0 + dt.timedelta(days=7))
    login(client, intake)
    page = list(client.get(queue_url(queue="open")).context["page_obj"])
    ids = [t.pk for t in page]
    assert closed.pk not in ids
    assert ids.index(first.pk) < ids.index(later.pk)
    assert [t.due_date for t in page] == sorted(t.due_date for t in page)


@pytest.mark.parametrize(("params", "shown"), [({}, "open"), ({"queue": "overdue"}, "overdue")])
def test_the_queue_select_shows_the_queue_being_listed(client, intake, params, shown):
    """Submitting the filters must keep the queue the officer is looking at (default: all open)."""
    import re

    login(client, intake)
    page = client.get(reverse("tipoffs_admin:index"), params).content.decode()
    select = re.search(r'<select name="queue".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\w+)"[^>]*selected', select) == [shown]
