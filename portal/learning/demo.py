"""Demo learning data: the starter question bank, a reward catalogue, the demo resident's points
and a month of synthetic quiz activity so the staff statistics have something to show.

Idempotent: the bank is matched by text, rewards by name, and the synthetic learners are created
only once. Rewards and pickup places are marked as examples (示例).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.learning import services
from portal.learning.models import (
    AttemptAnswer,
    LedgerEntry,
    PointsAccount,
    Question,
    QuizAttempt,
    Reward,
)
from portal.learning.question_bank import load_question_bank
from portal.models import Subdistrict

PICKUP = "东区生态环境局一楼服务窗口（示例），工作日 9:00—17:00，凭取件码领取"
REWARDS = [
    ("可降解垃圾袋（一卷）", "家用可降解垃圾袋，方便厨余垃圾分类投放。", 30, 200, 3),
    ("环保布袋", "可反复使用的棉布购物袋，减少一次性塑料袋。", 50, 100, 2),
    ("绿植盆栽", "小盆绿植一盆，品种以现场为准。", 80, 30, 1),
    ("公交卡充值 10 元", "为本人公交卡充值 10 元，鼓励绿色出行。", 120, 50, 1),
]
LEARNERS = 36
DAYS = 30
NICKNAMES = [
    "金沙江畔",
    "攀枝花开",
    "绿色小卫士",
    "炳草岗跑者",
    "银江晨光",
    "低碳达人",
    "分类能手",
    "护林小兵",
    "清风徐来",
    "碧水蓝天",
    "花城细胞",
    "骑行上班族",
]
TOPIC_SKILL = {
    "waste-sorting": 0.78,
    "air": 0.7,
    "water": 0.74,
    "biodiversity": 0.62,
    "low-carbon": 0.82,
    "law": 0.55,
}


def ensure_rewards() -> list[Reward]:
    rewards = []
    for order, (name, description, points, stock, limit) in enumerate(REWARDS):
        reward, _created = Reward.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "points": points,
                "stock": stock,
                "per_person_limit": limit,
                "pickup_instructions": PICKUP,
                "sort_order": order,
            },
        )
        rewards.append(reward)
    return rewards


def _quiz_day(user, day: dt.date, rng: random.Random, skill_by_topic: dict, subdistrict_id):
    question_ids = services.pick_daily_questions(user_id=user.pk, day=day, size=5)
    if not question_ids:
        return
    attempt = QuizAttempt.objects.create(
        user=user,
        kind=QuizAttempt.Kind.DAILY,
        date=day,
        question_ids=question_ids,
        subdistrict_id=subdistrict_id,
    )
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randrange(12))))
    questions = Question.objects.select_related("topic").prefetch_related("choices")
    answers = []
    correct = 0
    for question in questions.filter(pk__in=question_ids):
        right = rng.random() < skill_by_topic.get(question.topic.slug, 0.7)
        choices = list(question.choices.all())
        if right:
            chosen = [c.pk for c in choices if c.is_correct]
        else:
            chosen = [rng.choice([c.pk for c in choices if not c.is_correct] or [choices[0].pk])]
        correct += right
        answers.append(
            AttemptAnswer(attempt=attempt, question=question, chosen=chosen, is_correct=right)
        )
    AttemptAnswer.objects.bulk_create(answers)
    AttemptAnswer.objects.filter(attempt=attempt).update(answered_at=when)
    points = correct * 2
    if points:
        LedgerEntry.objects.create(
            user=user,
            amount=points,
            reason=LedgerEntry.Reason.QUIZ,
            key=f"quiz:{day.isoformat()}:{user.pk}",
            note=f"{correct}/{len(question_ids)}",
            subdistrict_id=subdistrict_id,
            created_at=when,
        )
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        created_at=when, finished_at=when, correct_count=correct, points_awarded=points
    )


def ensure_resident_points() -> None:
    """The demo resident: a nickname on the leaderboard and two weeks of daily quizzes."""
    user = get_user_model().objects.filter(username="resident").first()
    if user is None or QuizAttempt.objects.filter(user=user).exists():
        return
    account = services.account_for(user)
    account.nickname = "绿色小卫士"
    account.subdistrict = Subdistrict.objects.filter(code="bingcaogang").first() or (
        Subdistrict.objects.first()
    )
    account.on_leaderboard = True
    account.save()
    rng = random.Random(7)  # noqa: S311 - demo data
    today = timezone.localdate()
    for back in range(14, 0, -1):
        _quiz_day(user, today - dt.timedelta(days=back), rng, TOPIC_SKILL, account.subdistrict_id)


def ensure_learners() -> None:
    """A month of synthetic activity by 36 demo learners (no usable password, no real data)."""
    User = get_user_model()
    if User.objects.filter(username="learner01").exists():
        return
    rng = random.Random(2026)  # noqa: S311 - demo data
    subdistricts = list(Subdistrict.objects.filter(is_active=True))
    if not subdistricts:
        return
    rewards = ensure_rewards()
    today = timezone.localdate()
    for number in range(1, LEARNERS + 1):
        user = User(username=f"learner{number:02d}", email=f"learner{number:02d}@demo.local")
        user.set_unusable_password()
        user.save()
        sub = subdistricts[number % len(subdistricts)]
        nickname = NICKNAMES[number % len(NICKNAMES)] + (
            f"{number}" if number >= len(NICKNAMES) else ""
        )
        PointsAccount.objects.create(
            user=user,
            nickname=nickname,
            subdistrict=sub,
            on_leaderboard=number % 3 != 0,
        )
        keenness = rng.uniform(0.15, 0.85)
        skill = {k: min(0.95, v + rng.uniform(-0.15, 0.15)) for k, v in TOPIC_SKILL.items()}
        for back in range(DAYS, 0, -1):
            if rng.random() < keenness:
                _quiz_day(user, today - dt.timedelta(days=back), rng, skill, sub.pk)
        balance = services.balance_of(user)
        affordable = [r for r in rewards if r.points <= balance and r.stock > 0]
        if affordable and rng.random() < 0.5:
            reward = rng.choice(affordable)
            redemption = services.redeem(
                user=user, reward_id=reward.pk, nonce=f"demo-seed-redemption-{number:04d}"
            )
            if rng.random() < 0.6:
                services.redemption_fulfil(redemption_id=redemption.pk, actor=None)


@transaction.atomic
def seed() -> None:
    load_question_bank()
    ensure_rewards()
    ensure_resident_points()
    ensure_learners()
