"""Races decided by the database, not by a pre-check: two redemptions for the last points,
two for the last item, the same award twice at once. PostgreSQL only (real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from portal.learning import services
from portal.learning.models import LedgerEntry, Redemption, Reward
from tests.factories import UserFactory
from tests.locks import held_elsewhere

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="in-memory SQLite serialises connections; runs on PostgreSQL (make test-postgres)",
    ),
]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except services.RedemptionRefused as exc:
            outcomes.append(exc.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_redemptions_racing_for_the_last_points_cannot_overdraw():
    user = UserFactory()
    services.award(user=user, amount=60, reason=LedgerEntry.Reason.SURVEY, key="race:seed")
    bag = Reward.objects.create(name="布袋", points=50, stock=10, per_person_limit=5)
    plant = Reward.objects.create(name="绿植", points=50, stock=10, per_person_limit=5)
    outcomes = race(
        lambda: services.redeem(user=user, reward_id=bag.pk, nonce="race-nonce-one-aaaaaa"),
        lambda: services.redeem(user=user, reward_id=plant.pk, nonce="race-nonce-two-aaaaaa"),
    )
    assert outcomes == ["balance", "ok"]
    assert services.balance_of(user) == 10
    assert Redemption.objects.count() == 1
    assert sum(Reward.objects.values_list("stock", flat=True)) == 19


def test_two_residents_racing_for_the_last_item_one_gets_it():
    alice, bob = UserFactory(), UserFactory()
    for user in (alice, bob):
        services.award(user=user, amount=100, reason=LedgerEntry.Reason.SURVEY, key=f"s:{user.pk}")
    reward = Reward.objects.create(name="公交卡充值", points=50, stock=1, per_person_limit=1)
    outcomes = race(
        lambda: services.redeem(user=alice, reward_id=reward.pk, nonce="race-alice-aaaaaaaaaa"),
        lambda: services.redeem(user=bob, reward_id=reward.pk, nonce="race-bob-aaaaaaaaaaaa"),
    )
    assert outcomes == ["ok", "out_of_stock"]
    reward.refresh_from_db()
    assert reward.stock == 0
    assert services.balance_of(alice) + services.balance_of(bob) == 150


def test_a_double_click_racing_itself_is_one_redemption():
    user = UserFactory()
    services.award(user=user, amount=500, reason=LedgerEntry.Reason.SURVEY, key="dbl:seed")
    reward = Reward.objects.create(name="布袋", points=50, stock=10, per_person_limit=5)
    outcomes = race(
        *[lambda: services.redeem(user=user, reward_id=reward.pk, nonce="same-nonce-aaaaaaaaa")] * 2
    )
    assert outcomes == ["duplicate", "ok"]
    assert Redemption.objects.count() == 1
    assert services.balance_of(user) == 450


def test_the_same_award_at_the_same_moment_is_one_row():
    user = UserFactory()
    services.account_for(user)
    race(
        *[
            lambda: services.award(
                user=user,
                amount=5,
                reason=LedgerEntry.Reason.QUIZ,
                key=f"quiz:2026-05-01:{user.pk}",
            )
        ]
        * 2
    )
    assert LedgerEntry.objects.filter(user=user).count() == 1
    assert services.balance_of(user) == 5


def test_a_redemption_held_by_the_desk_does_not_lock_its_reward():
    """The desk's transition locks the redemption row alone, so the same resident can redeem
    the same reward meanwhile: locks are taken account first, reward second, on every path
    (the reward locked first by the desk and the account by the resident would deadlock)."""
    user = UserFactory()
    services.award(user=user, amount=500, reason=LedgerEntry.Reason.SURVEY, key="lock:seed")
    reward = Reward.objects.create(name="布袋", points=50, stock=10, per_person_limit=5)
    first = services.redeem(user=user, reward_id=reward.pk, nonce="lock-first-aaaaaaaaaa")
    # The desk's lock is the first step of cancel and fulfil.
    with held_elsewhere(lambda: services._lock_redemption(first)):
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")  # waiting on the reward row fails here
        try:
            second = services.redeem(user=user, reward_id=reward.pk, nonce="lock-second-aaaaaaaaa")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert second.reward_id == reward.pk
    services.redemption_cancel(redemption_id=first.pk, actor=user)
    reward.refresh_from_db()
    assert reward.stock == 9 and services.balance_of(user) == 450
