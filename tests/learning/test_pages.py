"""Resident pages: 我的积分 (login required), the leaderboard (opted-in nicknames only)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from portal.learning import services
from portal.learning.models import PointsAccount
from tests.factories import SubdistrictFactory
from tests.learning.conftest import give_points


def test_my_points_requires_sign_in(client, site):
    response = client.get(reverse("learning:me"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_my_points_shows_balance_history_and_pickup_codes(client, site, resident, reward):
    give_points(resident, 80)
    redemption = services.redeem(user=resident, reward_id=reward.pk, nonce="me-page-nonce-aaaaaa")
    client.force_login(resident)
    html = client.get(reverse("learning:me")).content.decode()
    assert 'data-testid="balance"' in html and "30" in html
    assert services.format_code(redemption.code) in html
    assert reward.name in html


def test_the_leaderboard_lists_opted_in_nicknames_and_nothing_else(
    client, site, resident, other_resident
):
    sub = SubdistrictFactory(code="donghua", name="东华街道")
    give_points(resident, 30)
    give_points(other_resident, 50)
    services.account_update(
        user=resident, nickname="金沙江畔", subdistrict=sub, on_leaderboard=True
    )
    services.account_update(
        user=other_resident, nickname="不想上榜", subdistrict=sub, on_leaderboard=False
    )
    html = client.get(reverse("learning:leaderboard")).content.decode()
    assert "金沙江畔" in html
    assert "不想上榜" not in html
    assert resident.email not in html and resident.username not in html
    filtered = client.get(reverse("learning:leaderboard"), {"subdistrict": sub.pk + 999})
    assert filtered.status_code == 200


def test_spending_does_not_lower_a_leaderboard_rank(site, resident, reward):
    give_points(resident, 80)
    services.account_update(
        user=resident, nickname="攀枝花开", subdistrict=None, on_leaderboard=True
    )
    services.redeem(user=resident, reward_id=reward.pk, nonce="rank-nonce-aaaaaaaaaa")
    from portal.learning.selectors import leaderboard

    assert leaderboard(subdistrict=None)[0]["points"] == 80


def test_a_phone_number_or_email_cannot_be_a_nickname(client, site, resident):
    client.force_login(resident)
    for nickname in ("13800138000", "alice@example.org"):
        response = client.post(
            reverse("learning:me"), {"nickname": nickname, "on_leaderboard": "on"}
        )
        assert response.status_code == 200
    assert not PointsAccount.objects.filter(on_leaderboard=True).exists()


def test_the_learning_home_works_for_visitors_and_residents(client, bank, resident):
    assert client.get(reverse("learning:index")).status_code == 200
    client.force_login(resident)
    html = client.get(reverse("learning:index")).content.decode()
    assert 'data-testid="start-daily"' in html
    assert 'data-testid="topic-air"' in html


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_my_points_and_rewards_pages_do_not_grow_queries_with_rows(client, bank, resident):
    from portal.learning.models import Reward

    client.force_login(resident)
    give_points(resident, 1000)
    urls = [reverse("learning:me"), reverse("learning:rewards"), reverse("learning:leaderboard")]
    first = Reward.objects.create(name="甲", points=10, stock=50, per_person_limit=10)
    services.redeem(user=resident, reward_id=first.pk, nonce="q-nonce-0-aaaaaaaaaaaa")
    services.account_update(user=resident, nickname="甲", subdistrict=None, on_leaderboard=True)
    for url in urls:  # warm up: the first request per session creates the session and settings
        client.get(url)
    small = [_queries(client, url) for url in urls]
    for n in range(1, 6):
        reward = Reward.objects.create(name=f"奖品{n}", points=10, stock=50, per_person_limit=10)
        services.redeem(user=resident, reward_id=reward.pk, nonce=f"q-nonce-{n}-aaaaaaaaaaaa")
        services.daily_quiz_for(user=resident, day=dt.date(2026, 1, n))
    large = [_queries(client, url) for url in urls]
    assert large == small
