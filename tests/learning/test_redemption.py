"""Redemption: balance, stock, per-person limit and validity checked together; pickup codes;
staff hand over or cancel (points back as a new ledger row, item back in stock)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal.learning import services
from portal.learning.models import LedgerEntry, Redemption, Reward
from tests.learning.conftest import give_points

NONCE = "nonce-aaaaaaaaaaaaaaaa"


def redeem(user, reward, nonce=NONCE):
    return services.redeem(user=user, reward_id=reward.pk, nonce=nonce)


def state_of(user, reward):
    reward.refresh_from_db()
    return services.balance_of(user), reward.stock, Redemption.objects.count()


def test_a_redemption_spends_points_takes_stock_and_gives_an_unguessable_code(
    site, resident, reward
):
    give_points(resident, 80)
    redemption = redeem(resident, reward)
    assert state_of(resident, reward) == (30, 4, 1)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{10}", redemption.code)
    spend = LedgerEntry.objects.get(reason=LedgerEntry.Reason.REDEMPTION)
    assert spend.amount == -50 and spend.key == f"redeem:{redemption.pk}"
    codes = {services.new_pickup_code() for _ in range(200)}
    assert len(codes) == 200


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda r: None, "balance"),
        (lambda r: Reward.objects.filter(pk=r.pk).update(stock=0), "out_of_stock"),
        (lambda r: Reward.objects.filter(pk=r.pk).update(is_active=False), "unavailable"),
        (
            lambda r: Reward.objects.filter(pk=r.pk).update(
                valid_until=timezone.localdate() - dt.timedelta(days=1)
            ),
            "unavailable",
        ),
    ],
)
def test_a_refused_redemption_changes_nothing(site, resident, reward, setup, reason):
    give_points(resident, 40 if reason == "balance" else 500)
    setup(reward)
    before = state_of(resident, reward)
    with pytest.raises(services.RedemptionRefused) as exc:
        redeem(resident, reward)
    assert exc.value.reason == reason
    assert state_of(resident, reward) == before


def test_the_per_person_limit_counts_all_but_cancelled_redemptions(site, resident, editor, reward):
    give_points(resident, 500)
    first = redeem(resident, reward, "nonce-first-aaaaaaaaaa")
    redeem(resident, reward, "nonce-second-aaaaaaaaa")
    with pytest.raises(services.RedemptionRefused) as exc:
        redeem(resident, reward, "nonce-third-aaaaaaaaaa")
    assert exc.value.reason == "limit"
    services.redemption_cancel(redemption_id=first.pk, actor=editor)
    redeem(resident, reward, "nonce-fourth-aaaaaaaaa")
    assert Redemption.objects.exclude(state=Redemption.State.CANCELLED).count() == 2


def test_the_same_form_sent_twice_is_one_redemption(site, resident, reward):
    give_points(resident, 500)
    first = redeem(resident, reward)
    with pytest.raises(services.RedemptionRefused) as exc:
        redeem(resident, reward)
    assert exc.value.reason == "duplicate"
    assert exc.value.redemption == first
    assert state_of(resident, reward) == (450, 4, 1)


def test_a_missing_or_malformed_nonce_is_refused(site, resident, reward):
    give_points(resident, 500)
    for nonce in ("", "short", "x" * 65, "bad nonce with spaces!!"):
        with pytest.raises(services.RedemptionRefused):
            redeem(resident, reward, nonce)
    assert not Redemption.objects.exists()


def test_cancelling_returns_the_points_as_a_new_row_and_restores_stock(
    site, resident, editor, reward
):
    give_points(resident, 80)
    redemption = redeem(resident, reward)
    services.redemption_cancel(redemption_id=redemption.pk, actor=editor)
    assert state_of(resident, reward) == (80, 5, 1)
    reasons = list(
        LedgerEntry.objects.filter(user=resident).order_by("pk").values_list("reason", "amount")
    )
    assert reasons == [("survey", 80), ("redemption", -50), ("refund", 50)]
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.CANCELLED and redemption.decided_by == editor
    with pytest.raises(services.RedemptionRefused):
        services.redemption_cancel(redemption_id=redemption.pk, actor=editor)
    assert services.balance_of(resident) == 80


def test_a_handed_over_reward_cannot_be_cancelled(site, resident, editor, reward):
    give_points(resident, 80)
    redemption = redeem(resident, reward)
    services.redemption_fulfil(redemption_id=redemption.pk, actor=editor)
    with pytest.raises(services.RedemptionRefused):
        services.redemption_cancel(redemption_id=redemption.pk, actor=editor)
    assert state_of(resident, reward) == (30, 4, 1)


def test_the_database_never_lets_stock_go_below_zero(reward):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reward.objects.filter(pk=reward.pk).update(stock=-1)
    reward.refresh_from_db()
    assert reward.stock == 5


def test_the_last_item_goes_to_one_resident_only(site, resident, other_resident, reward):
    Reward.objects.filter(pk=reward.pk).update(stock=1)
    give_points(resident, 100)
    give_points(other_resident, 100)
    redeem(resident, reward)
    with pytest.raises(services.RedemptionRefused):
        redeem(other_resident, reward, "nonce-other-aaaaaaaaaa")
    reward.refresh_from_db()
    assert reward.stock == 0
    assert services.balance_of(other_resident) == 100


def test_redeeming_through_the_page_shows_the_pickup_code(client, site, resident, reward):
    give_points(resident, 80)
    client.force_login(resident)
    page = client.get(reverse("learning:rewards")).content.decode()
    # The rewards page links to the confirmation step; redeeming happens only from there.
    assert reverse("learning:redeem", args=[reward.pk]) in page
    assert not Redemption.objects.exists()
    confirm = client.get(reverse("learning:redeem", args=[reward.pk])).content.decode()
    nonce = re.search(r'name="nonce" value="([^"]+)"', confirm).group(1)
    response = client.post(reverse("learning:redeem", args=[reward.pk]), {"nonce": nonce})
    redemption = Redemption.objects.get()
    assert response["Location"] == reverse("learning:redemption", args=[redemption.pk])
    html = client.get(response["Location"]).content.decode()
    assert services.format_code(redemption.code) in html
    again = client.post(reverse("learning:redeem", args=[reward.pk]), {"nonce": nonce})
    assert again["Location"] == response["Location"]
    assert Redemption.objects.count() == 1


def test_redeeming_beyond_the_balance_through_the_page_shows_a_message(
    client, site, resident, reward
):
    client.force_login(resident)
    response = client.post(
        reverse("learning:redeem", args=[reward.pk]), {"nonce": NONCE}, follow=True
    )
    html = response.content.decode()
    assert any(
        t in html
        for t in (
            "You do not have enough points for this reward.",
            "您的积分不足，无法兑换该奖品。",
        )
    )
    assert not Redemption.objects.exists()


def test_a_pickup_code_is_visible_only_to_its_owner(client, site, resident, other_resident, reward):
    give_points(resident, 80)
    redemption = redeem(resident, reward)
    client.force_login(other_resident)
    assert client.get(reverse("learning:redemption", args=[redemption.pk])).status_code == 404
    assert redemption.code not in client.get(reverse("learning:me")).content.decode()


def test_anonymous_visitors_cannot_redeem(client, site, reward):
    response = client.post(reverse("learning:redeem", args=[reward.pk]), {"nonce": NONCE})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Redemption.objects.exists()


def test_the_confirmation_step_shows_the_item_its_cost_and_the_balance_after(
    client, site, resident, reward
):
    give_points(resident, 80)
    client.force_login(resident)
    page = client.get(reverse("learning:redeem", args=[reward.pk])).content.decode()
    assert reward.name in page
    assert 'data-testid="confirm-balance">80<' in page
    assert f'data-testid="confirm-after">{80 - reward.points}<' in page
    assert 'data-testid="confirm-redeem"' in page
    assert not Redemption.objects.exists()  # showing the step spends nothing


def test_the_confirmation_step_offers_no_button_without_enough_points(
    client, site, resident, reward
):
    give_points(resident, reward.points - 1)
    client.force_login(resident)
    page = client.get(reverse("learning:redeem", args=[reward.pk])).content.decode()
    assert 'data-testid="confirm-redeem"' not in page


def test_the_resident_cancels_once_and_gets_the_points_back_exactly_once(
    client, site, resident, reward
):
    give_points(resident, 80)
    redemption = redeem(resident, reward)
    client.force_login(resident)
    url = reverse("learning:redemption_cancel", args=[redemption.pk])
    confirm = client.get(url).content.decode()
    assert 'data-testid="cancel-after">80<' in confirm
    assert Redemption.objects.get().state == Redemption.State.PENDING  # GET changes nothing
    client.post(url)
    client.post(url)  # a second click, a replay
    with pytest.raises(services.RedemptionRefused):
        services.redemption_cancel(redemption_id=redemption.pk, actor=resident)
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.CANCELLED
    assert redemption.decided_by == resident
    assert LedgerEntry.objects.filter(user=resident, reason="refund").count() == 1
    assert state_of(resident, reward) == (80, 5, 1)


def test_a_resident_cannot_cancel_after_pickup(client, site, resident, editor, reward):
    give_points(resident, 80)
    redemption = redeem(resident, reward)
    services.redemption_fulfil(redemption_id=redemption.pk, actor=editor)
    client.force_login(resident)
    url = reverse("learning:redemption_cancel", args=[redemption.pk])
    assert client.get(url)["Location"] == reverse("learning:redemption", args=[redemption.pk])
    client.post(url)
    with pytest.raises(services.RedemptionRefused):
        services.redemption_cancel(redemption_id=redemption.pk, actor=resident)
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.FULFILLED
    assert not LedgerEntry.objects.filter(user=resident, reason="refund").exists()
    page = client.get(reverse("learning:redemption", args=[redemption.pk])).content.decode()
    assert 'data-testid="cancel-redemption"' not in page


def test_nobody_else_can_cancel_a_residents_redemption(
    client, site, resident, other_resident, reward
):
    give_points(resident, 80)
    redemption = redeem(resident, reward)
    client.force_login(other_resident)
    url = reverse("learning:redemption_cancel", args=[redemption.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    with pytest.raises(services.TransitionForbidden):
        services.redemption_cancel(redemption_id=redemption.pk, actor=other_resident)
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.PENDING
