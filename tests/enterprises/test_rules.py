"""Pure rules: credit codes, the two clocks (across the Spring Festival), the report format and
the compliance rate on a hand-built year."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from enterprises import deadlines, rates, report_format
from enterprises.validators import validate_credit_code
from portal.integration import pooled_rate


@pytest.mark.parametrize("code", ["91510402MA600001XX", "91110000600037341L"])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code",
    ["", "12345", "91510402MA600001XY", "91510402MA600001XI", "91510402MA600001X"],
)
def test_invalid_credit_codes_get_a_clear_message(code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "invalid_credit_code"
    assert "统一社会信用代码" in exc.value.messages[0] or "18" in exc.value.messages[0]


def test_the_annual_report_is_due_on_15_march_of_the_next_year_even_on_a_weekend():
    assert deadlines.annual_due(2025) == dt.date(2026, 3, 15)  # a Sunday: not moved
    assert deadlines.annual_due(2026) == dt.date(2027, 3, 15)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Spring Festival 2026: 15–23 February off; Saturday 14 and Saturday 28 February are
        # make-up working days.
        (dt.date(2026, 2, 13), dt.date(2026, 2, 27)),  # 14th (make-up), 24, 25, 26, 27
        (dt.date(2026, 2, 16), dt.date(2026, 2, 28)),  # received on a holiday: 24–27, 28
        (dt.date(2026, 2, 10), dt.date(2026, 2, 24)),  # 11, 12, 13, 14, then 24
        (dt.date(2026, 3, 2), dt.date(2026, 3, 9)),  # an ordinary week: Monday → Monday
    ],
)
def test_the_temporary_clock_counts_working_days_across_the_spring_festival(received, due):
    assert deadlines.temporary_due(received) == due


def test_clock_states():
    due = dt.date(2026, 3, 15)
    assert deadlines.clock_state(due_on=due, filed_on=due, today=dt.date(2026, 5, 1)) == "on_time"
    late = dt.date(2026, 3, 16)
    assert deadlines.clock_state(due_on=due, filed_on=late, today=dt.date(2026, 5, 1)) == "late"
    assert deadlines.clock_state(due_on=due, filed_on=None, today=dt.date(2026, 3, 16)) == "missing"
    assert deadlines.clock_state(due_on=due, filed_on=None, today=dt.date(2026, 3, 5)) == "due_soon"
    assert deadlines.clock_state(due_on=due, filed_on=None, today=dt.date(2026, 1, 5)) == "open"


def test_compliance_rate_on_a_hand_built_year():
    """Due year 2026: five annual reports due 15 March, three temporary reports."""
    march = dt.date(2026, 3, 15)
    obligations = [
        rates.Obligation("a1", march, dt.date(2026, 3, 1)),  # on time
        rates.Obligation("a2", march, march),  # on the day: on time
        rates.Obligation("a3", march, dt.date(2026, 3, 20)),  # late
        rates.Obligation("a4", march, None),  # missing
        rates.Obligation("a5", march, dt.date(2026, 12, 20)),  # filed after the as-of date
        rates.Obligation("t1", dt.date(2026, 2, 27), dt.date(2026, 2, 26)),  # on time
        rates.Obligation("t2", dt.date(2026, 6, 9), dt.date(2026, 6, 12)),  # late
        rates.Obligation("t3", dt.date(2026, 12, 30), None),  # not yet due
    ]
    result = rates.compliance_rate(year=2026, as_of=dt.date(2026, 12, 1), obligations=obligations)
    assert (result.due, result.on_time, result.late, result.missing) == (7, 3, 2, 2)
    assert result.not_yet_due == 1
    assert result.rate == Decimal("0.4286")
    assert set(result.missing_keys) == {"a4", "a5"}


def test_pooled_rate_counts_each_obligation_once():
    # government 9 of 14, enterprises 18 of 21 → 27 / 35
    assert pooled_rate([(14, 9), (21, 18)]) == Decimal("0.7714")
    assert pooled_rate([(0, 0)]) is None


def _errors(content, **kwargs):
    with pytest.raises(report_format.ContentErrors) as exc:
        report_format.clean_content(content, **kwargs)
    return exc.value.errors


def test_emissions_need_a_unit_and_a_non_negative_amount():
    content = {
        "emissions": [
            {"outlet": "DA001", "pollutant": "SO2", "amount": "3", "unit": ""},
            {"outlet": "DA001", "pollutant": "NOx", "amount": "-1", "unit": "t"},
            {"outlet": "DA001", "pollutant": "PM", "amount": "x", "unit": "t"},
            {"outlet": "DA001", "pollutant": "PM", "amount": "2", "unit": "m3"},
        ]
    }
    errors = dict(_errors(content))
    assert "unit" in errors["emissions:1"] or "单位" in errors["emissions:1"]
    assert set(errors) == {"emissions:1", "emissions:2", "emissions:3", "emissions:4"}


def test_blank_rows_are_ignored_and_amounts_canonical():
    clean = report_format.clean_content(
        {
            "basic": " x ",
            "emissions": [
                {"outlet": "", "pollutant": "", "amount": "", "unit": ""},
                {"outlet": "DA001", "pollutant": "SO2", "amount": "12.50", "unit": "t"},
            ],
        }
    )
    assert clean["basic"] == "x"
    assert clean["emissions"] == [
        {"outlet": "DA001", "pollutant": "SO2", "amount": "12.5", "unit": "t"}
    ]


def test_submission_requires_the_main_parts_and_carbon_only_the_carbon_part():
    errors = dict(_errors({"basic": "x"}, final=True))
    assert {"management", "pollution", "carbon"} <= set(errors)
    errors = dict(_errors({"carbon": "x"}, carbon_only=True, final=True))
    assert "carbon_emissions:1" in errors


def test_hazardous_waste_code_and_route_are_checked():
    errors = _errors(
        {"hazardous_waste": [{"code": "HW49", "name": "废油", "amount": "1", "route": "river"}]}
    )
    assert len(errors) == 2


def test_fingerprint_is_stable_and_changes_with_content():
    a = report_format.fingerprint({"b": "1", "a": "2"})
    assert a == report_format.fingerprint({"a": "2", "b": "1"})
    assert a != report_format.fingerprint({"a": "2", "b": "2"})
    assert len(a) == 64
