"""Fixtures for the learning tests: the site, a small question bank, rewards, personas."""

from __future__ import annotations

import pytest

from portal import roles
from portal.learning import services
from portal.learning.models import Choice, LedgerEntry, Question, Reward, Topic
from tests.factories import UserFactory


@pytest.fixture
def site(db):
    from portal.demo import ensure_site_tree

    return ensure_site_tree()


def make_question(topic: Topic, n: int, *, kind=Question.Kind.SINGLE) -> Question:
    question = Question.objects.create(
        topic=topic,
        kind=kind,
        text=f"{topic.name}测试题{n}",
        explanation=f"解析{n}",
        source_title="《中华人民共和国环境保护法》",
        source_url="/column/",
    )
    correct = {0, 2} if kind == Question.Kind.MULTIPLE else {0}
    for i in range(4 if kind != Question.Kind.TRUE_FALSE else 2):
        Choice.objects.create(
            question=question, text=f"选项{n}-{i}", is_correct=i in correct, sort_order=i
        )
    return question


@pytest.fixture
def bank(site):
    """Two topics, 24 questions (20 single choice, 4 multiple choice)."""
    air = Topic.objects.create(name="大气", slug="air", sort_order=1)
    water = Topic.objects.create(name="水", slug="water", sort_order=2)
    questions = [make_question(air if n % 2 else water, n) for n in range(20)]
    questions += [make_question(air, 100 + n, kind=Question.Kind.MULTIPLE) for n in range(4)]
    return questions


@pytest.fixture
def resident(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_resident(db):
    return UserFactory(username="bob")


@pytest.fixture
def editor(db):
    return UserFactory(username="erin", roles=[roles.EDITOR])


@pytest.fixture
def analyst(db):
    return UserFactory(username="anna", roles=[roles.ANALYST])


@pytest.fixture
def handler(db):
    return UserFactory(username="hank", roles=[roles.DEPARTMENT_HANDLER])


@pytest.fixture
def reward(db):
    return Reward.objects.create(name="环保布袋", points=50, stock=5, per_person_limit=2)


def give_points(user, amount: int, key: str = "") -> LedgerEntry:
    return services.award(
        user=user,
        amount=amount,
        reason=LedgerEntry.Reason.SURVEY,
        key=key or f"test:{user.pk}:{amount}:{LedgerEntry.objects.count()}",
    )


def correct_ids(question: Question) -> list[int]:
    return [c.pk for c in question.choices.all() if c.is_correct]


def wrong_id(question: Question) -> int:
    return next(c.pk for c in question.choices.all() if not c.is_correct)
