"""Reply types as one table; a category's annual-report role as a field, not its slug."""

import datetime as dt

import pytest

from disclosure.models import DisclosureCategory, DisclosureRequest
from disclosure.reply_types import REASON_REQUIRED, REPLY_TYPES, outcome_rows
from disclosure.report import build_annual_report

RT = DisclosureRequest.ReplyType


def test_every_reply_type_has_one_row_in_the_table_and_in_the_annual_report():
    assert set(REPLY_TYPES) == set(RT.values)
    counted = [
        t for _label, types, level in outcome_rows() if level == 2 or len(types) == 1 for t in types
    ]
    assert sorted(counted) == sorted(RT.values)  # each counted on exactly one detail row


def test_only_a_full_disclosure_may_omit_the_legal_basis():
    assert set(RT.values) - REASON_REQUIRED == {RT.DISCLOSED}


def test_the_outcome_rows_follow_the_standard_table():
    rows = outcome_rows()
    assert [label[:7] for label, _types, _level in rows[:3]] == [
        "（一）予以公开",
        "（二）部分公开",
        "（三）不予公开",
    ]
    groups = [label for label, _types, level in outcome_rows() if level == 1]
    assert [g[:3] for g in groups] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]
    withheld = next(types for label, types, _ in outcome_rows() if label == "（三）不予公开")
    assert set(withheld) == {t for t in RT.values if t.startswith("withheld_")}


def _normative_row(year):
    report = build_annual_report(year)
    return report.normative  # 行政规范性文件: issued, repealed, in force


@pytest.mark.django_db
def test_the_policy_category_counts_as_normative_documents_after_migration():
    policy = DisclosureCategory.objects.get(slug="policy")
    assert policy.report_role == DisclosureCategory.ReportRole.NORMATIVE_DOCUMENTS
    assert not DisclosureCategory.objects.exclude(pk=policy.pk).exclude(report_role="").exists()


@pytest.mark.django_db
def test_the_annual_report_counts_normative_documents_by_role_not_by_slug(make_item):
    policy = DisclosureCategory.objects.get(slug="policy")
    policy.slug = "zhengce"  # renamed by an officer: still the normative documents
    policy.save()
    quality = DisclosureCategory.objects.get(slug="quality")
    make_item(
        "区政府规范性文件",
        category=policy,
        written_date=dt.date(2025, 3, 1),
        publication_date=dt.date(2025, 3, 1),
    )
    make_item(
        "环境质量公报",
        category=quality,
        written_date=dt.date(2025, 3, 2),
        publication_date=dt.date(2025, 3, 2),
    )
    assert _normative_row(2025)[0] == 1

    quality.report_role = DisclosureCategory.ReportRole.NORMATIVE_DOCUMENTS
    quality.save()
    policy.report_role = DisclosureCategory.ReportRole.NONE
    policy.save()
    assert _normative_row(2025)[0] == 1  # now the quality item, not the policy one
    assert DisclosureCategory.objects.filter(report_role="normative_documents").get() == quality
