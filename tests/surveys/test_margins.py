"""surveys.margins: the variable,category,value table and its validation."""

import pytest

from surveys.margins import MarginsError, parse_margins_csv
from tests.surveys import fixtures

EXPECTED = {"sex": ["男", "女"], "age_group": ["18-29", "30-44", "45-59", "60+"]}


def problems_of(text, **kwargs):
    with pytest.raises(MarginsError) as excinfo:
        parse_margins_csv(text, **kwargs)
    return excinfo.value.problems


def test_the_fixture_margins_are_counts_of_one_population():
    margins = fixtures.margins()
    assert margins.variables == ["sub_district", "sex", "age_group"]
    assert margins.kinds == {"sub_district": "count", "sex": "count", "age_group": "count"}
    assert margins.population_total == 320_000
    assert margins.shares()["sex"]["男"] == pytest.approx(162 / 320)


def test_shares_counts_bom_extra_columns_and_blank_lines_are_accepted():
    text = (
        "\ufeffVariable , Category,value,source\n"
        "sex,男,0.51,census\n"
        "sex,女,0.49,census\n"
        "\n"
        "age_group,18-29,60000,\n"
        "age_group,30-44,88000,\n"
        "age_group,45-59,92000,\n"
        "age_group,60+,80000,\n"
    )
    margins = parse_margins_csv(text.encode("utf-8"), expected_categories=EXPECTED)
    assert margins.kinds == {"sex": "share", "age_group": "count"}
    assert margins.population_total == 320_000
    assert margins.values["sex"] == {"男": 0.51, "女": 0.49}
    assert ("age_group", "60+", 80000.0) in margins.rows()


def test_shares_may_be_off_by_rounding_of_at_most_one_in_a_billion():
    parse_margins_csv("variable,category,value\nsex,男,0.5000000004\nsex,女,0.5\n")
    problems = problems_of("variable,category,value\nsex,男,0.500000002\nsex,女,0.5\n")
    assert [p.code for p in problems] == ["shares_do_not_sum_to_one"]
    assert "'sex' sum to 1.000000002" in problems[0].message


@pytest.mark.parametrize(
    ("value", "code"),
    [("0", "not_positive"), ("-5", "not_positive"), ("abc", "not_a_number"), ("", "not_a_number")],
)
def test_a_bad_value_names_variable_category_and_line(value, code):
    problems = problems_of(f"variable,category,value\nsex,男,100\nsex,女,{value}\n")
    assert [(p.code, p.variable, p.category, p.line) for p in problems] == [(code, "sex", "女", 3)]
    assert "sex = '女' (line 3)" in problems[0].message


def test_duplicates_and_differing_population_totals_are_reported_together():
    problems = problems_of(
        "variable,category,value\n"
        "sex,男,100\nsex,女,100\nsex,女,100\n"
        "age_group,young,120\nage_group,old,90\n"
    )
    codes = {p.code: p for p in problems}
    assert codes["duplicate"].line == 4
    assert "first on line 3" in codes["duplicate"].message
    assert codes["totals_differ"].variable == "age_group"
    assert "sum to 210" in codes["totals_differ"].message


def test_categories_must_match_the_expected_codes_and_every_variable_be_complete():
    problems = problems_of(
        "variable,category,value\nsex,男,0.5\nsex,其他,0.5\nincome,low,1\n",
        expected_categories=EXPECTED,
    )
    found = {(p.code, p.variable, p.category) for p in problems}
    assert ("category_missing", "sex", "女") in found
    assert ("unknown_category", "sex", "其他") in found
    assert ("variable_missing", "age_group", None) in found
    assert ("unknown_variable", "income", None) in found


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("variable,category,value\n", "empty"),
        ("variable,category,count\nsex,男,1\n", "bad_header"),
        ("variable,category,value\n,男,1\n", "missing_variable"),
        ("variable,category,value\nsex,,1\n", "missing_category"),
        (b"variable,category,value\nsex,\xff,1\n", "encoding"),
    ],
)
def test_unusable_files_are_errors(text, code):
    assert problems_of(text)[0].code == code


def test_excel_gb18030_files_are_read():
    margins = parse_margins_csv(
        "variable,category,value\nsex,男,0.5\nsex,女,0.5\n".encode("gb18030")
    )
    assert margins.values["sex"] == {"男": 0.5, "女": 0.5}


def test_the_error_message_lists_every_problem():
    with pytest.raises(MarginsError) as excinfo:
        parse_margins_csv("variable,category,value\nsex,男,0\nsex,女,x\n")
    assert str(excinfo.value).count("\n") == 1
