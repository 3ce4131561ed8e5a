"""The disclosure rate on a hand-built year (pure rule, database selector, command)."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from disclosure.models import DisclosurePlan, DisclosurePlanEntry
from disclosure.rates import EntryOutcome, disclosure_rate
from disclosure.selectors import plan_rate

D = dt.date


def test_the_rate_counts_only_entries_due_by_the_as_of_date():
    entries = [
        EntryOutcome("a", D(2025, 1, 31), D(2025, 1, 20)),  # on time
        EntryOutcome("b", D(2025, 3, 31), D(2025, 3, 31)),  # on time, on the due day
        EntryOutcome("c", D(2025, 4, 30), D(2025, 5, 6)),  # late
        EntryOutcome("d", D(2025, 6, 30), None),  # missing
        EntryOutcome("e", D(2025, 12, 31), D(2025, 2, 1)),  # not yet due: left out
        EntryOutcome("f", D(2025, 6, 1), D(2025, 7, 10)),  # published after as_of: missing now
    ]
    result = disclosure_rate(year=2025, as_of=D(2025, 7, 1), entries=entries)
    assert (result.due, result.on_time, result.late, result.missing) == (5, 2, 1, 2)
    assert result.rate == Decimal("0.4")
    assert result.late_keys == ["c"] and result.missing_keys == ["d", "f"]
    assert result.as_dict() == {
        "year": 2025,
        "as_of": "2025-07-01",
        "due": 5,
        "on_time": 2,
        "late": 1,
        "missing": 2,
        "rate": 0.4,
    }


def test_nothing_due_gives_no_rate_rather_than_zero_or_a_division_error():
    result = disclosure_rate(
        year=2025, as_of=D(2025, 1, 1), entries=[EntryOutcome("a", D(2025, 3, 1), None)]
    )
    assert result.due == 0 and result.rate is None and result.as_dict()["rate"] is None


@pytest.mark.django_db
def test_a_hand_built_year_through_the_database_and_the_command(make_item, department, category):
    plan = DisclosurePlan.objects.create(year=2025, title="2025年计划")
    on_time = make_item(
        "按时公开的信息", publication_date=D(2025, 3, 10), written_date=D(2025, 3, 1)
    )
    late = make_item("逾期公开的信息", publication_date=D(2025, 11, 3), written_date=D(2025, 10, 1))

    def entry(title, **kw):
        e = DisclosurePlanEntry(
            plan=plan, title=title, category=category, department=department, **kw
        )
        e.full_clean(exclude=["plan"])
        e.save()
        return e

    entry("固定期限", due_rule="fixed", due_date=D(2025, 3, 31), item=on_time)
    # Formed on Friday 26 September: 20 working days over National Day → due 30 October.
    formed = entry(
        "形成后20个工作日", due_rule="after_formed", formed_date=D(2025, 9, 26), item=late
    )
    assert formed.due_on == D(2025, 10, 30)
    entry("尚未公开", due_rule="fixed", due_date=D(2025, 6, 30))
    entry("年底到期", due_rule="fixed", due_date=D(2025, 12, 31))

    result, late_entries, missing, _ = plan_rate(year=2025, as_of=D(2025, 11, 30))
    assert (result.due, result.on_time, result.late, result.missing) == (3, 1, 1, 1)
    assert [e.title for e in late_entries] == ["形成后20个工作日"]
    assert [e.title for e in missing] == ["尚未公开"]

    out = StringIO()
    call_command(
        "disclosure_rate", "--year", "2025", "--as-of", "2025-11-30", "--format", "json", stdout=out
    )
    assert json.loads(out.getvalue()) == {
        "year": 2025,
        "as_of": "2025-11-30",
        "due": 3,
        "on_time": 1,
        "late": 1,
        "missing": 1,
        "rate": 0.3333,
    }


@pytest.mark.django_db
def test_a_plan_entry_due_before_it_is_formed_is_refused(department, category):
    plan = DisclosurePlan.objects.create(year=2025, title="2025年计划")
    entry = DisclosurePlanEntry(
        plan=plan,
        title="x",
        category=category,
        department=department,
        due_rule="fixed",
        due_date=D(2025, 3, 1),
        formed_date=D(2025, 3, 10),
    )
    with pytest.raises(ValidationError) as excinfo:
        entry.full_clean(exclude=["plan"])
    assert "due_date" in excinfo.value.message_dict
    missing_formed = DisclosurePlanEntry(
        plan=plan, title="y", category=category, department=department, due_rule="after_formed"
    )
    with pytest.raises(ValidationError) as excinfo:
        missing_formed.full_clean(exclude=["plan"])
    assert "formed_date" in excinfo.value.message_dict
    assert DisclosurePlanEntry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("year", [1999, 20255])
def test_a_mistyped_plan_or_report_year_is_refused(year):
    from disclosure.models import AnnualReportInputs

    for obj in (DisclosurePlan(year=year, title="计划"), AnnualReportInputs(year=year)):
        with pytest.raises(ValidationError) as excinfo:
            obj.full_clean()
        assert "year" in excinfo.value.message_dict
    assert DisclosurePlan.objects.count() == 0
