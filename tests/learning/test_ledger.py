"""The points ledger: append-only rows, idempotent awards, the reading cap, the balance."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from portal.learning import services
from portal.learning.models import LearningSettings, LedgerEntry
from tests.learning.conftest import give_points


def test_the_same_award_key_twice_gives_one_row(resident):
    first = services.award(
        user=resident,
        amount=5,
        reason=LedgerEntry.Reason.QUIZ,
        key=f"quiz:2026-01-01:{resident.pk}",
    )
    second = services.award(
        user=resident,
        amount=5,
        reason=LedgerEntry.Reason.QUIZ,
        key=f"quiz:2026-01-01:{resident.pk}",
    )
    assert first is not None
    assert second is None
    assert LedgerEntry.objects.filter(user=resident).count() == 1
    assert services.balance_of(resident) == 5


def test_the_balance_is_the_sum_of_the_ledger(resident, other_resident):
    give_points(resident, 10)
    give_points(resident, 7)
    give_points(other_resident, 100)
    assert services.balance_of(resident) == 17


@pytest.mark.parametrize("amount", [0, -5])
def test_an_award_of_zero_or_negative_points_is_refused(resident, amount):
    with pytest.raises(ValueError):
        services.award(user=resident, amount=amount, reason=LedgerEntry.Reason.QUIZ, key="k")
    assert not LedgerEntry.objects.exists()


def test_a_spend_reason_cannot_be_used_to_award(resident):
    with pytest.raises(ValueError):
        services.award(user=resident, amount=5, reason=LedgerEntry.Reason.REFUND, key="k")


def test_ledger_rows_cannot_be_changed_or_deleted(resident):
    entry = give_points(resident, 10)
    entry.amount = 1000
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.amount == 10


def test_the_database_refuses_a_zero_amount_and_a_positive_spend(resident):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(user=resident, amount=0, reason="quiz", key="zero")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(user=resident, amount=5, reason="redemption", key="spend")
    assert not LedgerEntry.objects.exists()


class _Page:
    def __init__(self, pk):
        self.pk = pk
        self.title = f"文章{pk}"


def test_reading_points_are_given_once_per_article_and_capped_per_day(site, resident):
    rules = services.current_settings()
    rules.points_per_article = 2
    rules.daily_reading_cap = 5
    rules.save()
    amounts = [services.award_reading(user=resident, page=_Page(n)) for n in (1, 1, 2, 3, 4)]
    assert [e.amount if e else None for e in amounts] == [2, None, 2, 1, None]
    assert services.balance_of(resident) == 5


def test_the_rules_come_from_the_site_setting(site):
    rules = LearningSettings.for_site(site)
    rules.points_per_survey = 25
    rules.save()
    assert services.current_settings().points_per_survey == 25
