"""The plan's 表1, 表2 and 附表 as loaded from disclosure/data (values exactly as written)."""

from decimal import Decimal

import pytest

from disclosure.data import read_csv, unit_names
from disclosure.models import Indicator, KeyProject, ProjectSystem
from disclosure.selectors import project_totals_by_system

pytestmark = pytest.mark.django_db


def test_the_indicator_table_has_35_top_level_rows_and_the_parts_of_7_8_11_20_21():
    assert Indicator.objects.filter(part=0).count() == 35
    assert list(Indicator.objects.filter(part=0).values_list("number", flat=True)) == list(
        range(1, 36)
    )
    parts = {
        number: Indicator.objects.filter(number=number, part__gt=0).count()
        for number in (7, 8, 11, 20, 21)
    }
    assert parts == {7: 2, 8: 3, 11: 3, 20: 2, 21: 3}
    assert Indicator.objects.filter(part__gt=0).exclude(number__in=[7, 8, 11, 20, 21]).count() == 0
    assert all(p.parent.number == p.number for p in Indicator.objects.filter(part__gt=0))


def test_spot_checked_values_are_exactly_as_the_plan_writes_them():
    i34 = Indicator.objects.get(number=34, part=0)
    assert (
        i34.name,
        i34.target_value,
        i34.baseline_value,
        i34.baseline_status,
        i34.planned_2025,
    ) == (
        "公众对生态文明建设的满意度",
        "≥80",
        "82.22",
        "已达标",
        "≥85",
    )
    assert i34.responsible_units == "东区生态环境局\n区统计局"
    i35 = Indicator.objects.get(number=35, part=0)
    assert (i35.name, i35.baseline_value, i35.attribute) == (
        "公众对生态文明建设的参与度",
        "82.86",
        "参考性",
    )
    i5 = Indicator.objects.get(number=5, part=0)
    assert (i5.name, i5.unit, i5.target_value, i5.baseline_value, i5.baseline_status) == (
        "生态环境信息公开率",
        "%",
        "100",
        "不完善",
        "未达标",
    )
    assert i5.responsible_units == "区电子政务中心"
    # The plan's own typo in indicator 7 is kept: values are not corrected.
    assert (
        Indicator.objects.get(number=7, part=0).target_value
        == "完成上级规定的考核任务；保抓持稳定或持续改善"
    )
    assert Indicator.objects.get(number=7, part=1).baseline_value == "96.3%"
    assert Indicator.objects.get(number=7, part=2).name == "PM2.5浓度下降幅度"
    assert Indicator.objects.get(number=9, part=0).planned_2025 == "EI≥52\nCEI≥72"
    assert Indicator.objects.get(number=10, part=0).qualifier == "丘陵地区"
    assert Indicator.objects.get(number=16, part=0).baseline_value == "未划定（市级未下达管控目标）"
    assert Indicator.objects.get(number=17, part=0).unit == "吨标准煤/万元"
    assert [
        (p.name, p.target_value, p.baseline_value, p.planned_2025)
        for p in Indicator.objects.filter(number=21, part__gt=0)
    ] == [
        ("秸秆综合利用率", "≥90", "92.75", "94"),
        ("畜禽粪污综合利用率", "≥75", "100", "100"),
        ("农膜回收利用率", "≥80", "80.5", "81"),
    ]


def test_the_baseline_statuses_match_the_plans_count_of_25_met_and_7_not_met():
    top = Indicator.objects.filter(part=0)
    assert top.filter(baseline_status="已达标").count() == 25
    assert set(top.filter(baseline_status="未达标").values_list("number", flat=True)) == {
        5,
        7,
        10,
        12,
        19,
        24,
        32,
    }
    assert set(top.filter(baseline_status="无现状").values_list("number", flat=True)) == {9, 11, 20}
    assert top.filter(attribute="约束性").count() + top.filter(attribute="参考性").count() == 35


def test_the_48_projects_are_loaded_in_six_systems():
    assert KeyProject.objects.count() == 48
    assert list(KeyProject.objects.values_list("number", flat=True)) == list(range(1, 49))
    counts = {s.name: s.projects.count() for s in ProjectSystem.objects.all()}
    assert counts == {
        "生态制度": 4,
        "生态安全": 17,
        "生态空间": 7,
        "生态经济": 14,
        "生态生活": 4,
        "生态文化": 2,
    }
    p19 = KeyProject.objects.get(number=19)
    assert (p19.total_investment, p19.total_investment_text, p19.period) == (
        Decimal("499.10"),
        "499.10",
        "2022",
    )
    p34 = KeyProject.objects.get(number=34)
    assert (p34.name, p34.total_investment_text, p34.total_investment) == (
        "丰源技改升级",
        "400,000",
        Decimal("400000"),
    )


def test_the_investment_totals_reproduce_the_plans_table_2_exactly():
    totals, planned_total, _listed = project_totals_by_system()
    assert {t.system.name: t.planned for t in totals} == {
        "生态制度": Decimal("403"),
        "生态安全": Decimal("213116.75"),
        "生态空间": Decimal("27034"),
        "生态经济": Decimal("718913"),
        "生态生活": Decimal("41920"),
        "生态文化": Decimal("21000"),
    }
    assert planned_total == Decimal("1022386.75")


def test_the_listed_project_rows_differ_from_table_2_where_the_plan_itself_does():
    # The annex's own subtotals omit project 19 (499.10) under 生态安全, and its 生态空间 rows
    # add up to 26,984 while the subtotal says 27,034. The data keeps both as written.
    totals, _planned, listed_total = project_totals_by_system()
    differences = {t.system.name: t.difference for t in totals if t.difference}
    assert differences == {"生态安全": Decimal("499.10"), "生态空间": Decimal("-50")}
    assert listed_total == Decimal("1022835.85")


def test_wrapped_unit_names_are_rejoined_for_department_links():
    known = {"区农业农村和交通水利局", "银江镇"}
    assert unit_names("区农业农村和\n交通水利局\n银江镇", known) == [
        "区农业农村和交通水利局",
        "银江镇",
    ]
    rows = read_csv("projects.csv")
    assert len(rows) == 48


def test_the_loader_links_departments_once_reference_data_exists():
    from django.core.management import call_command

    from portal.reference import ensure_reference_data

    ensure_reference_data()
    call_command("load_plan_data", verbosity=0)
    assert list(Indicator.objects.get(number=34).departments.values_list("name", flat=True)) == [
        "东区生态环境局",
        "区统计局",
    ]
    assert set(KeyProject.objects.get(number=4).departments.values_list("name", flat=True)) == {
        "区电子政务中心",
        "东区生态环境局",
    }
    assert Indicator.objects.count() == 48  # idempotent: 35 + 13 parts, no duplicates
