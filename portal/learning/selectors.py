"""Reads of learning data: a learner's own rows (always scoped to the user), the quiz screens,
the leaderboard (nicknames of those who opted in, nothing else) and the staff statistics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from portal.learning.models import (
    AttemptAnswer,
    LedgerEntry,
    PointsAccount,
    Question,
    QuizAttempt,
    Redemption,
    Topic,
)
from portal.models import Subdistrict

LEADERBOARD_SIZE = 20


def attempt_for_user(*, user, pk: int) -> QuizAttempt:
    """The attempt ``pk`` if it is ``user``'s own; 404 otherwise (no hint that it exists)."""
    attempt = QuizAttempt.objects.select_related("topic").filter(pk=pk, user=user).first()
    if attempt is None:
        raise Http404
    return attempt


def ledger_for(*, user):
    return LedgerEntry.objects.filter(user=user).order_by("-created_at", "-pk")


def attempts_for(*, user):
    return QuizAttempt.objects.filter(user=user).select_related("topic").order_by("-created_at")


def redemptions_for(*, user):
    return Redemption.objects.filter(user=user).select_related("reward").order_by("-created_at")


def topics_with_counts():
    return (
        Topic.objects.filter(is_active=True)
        .annotate(n=Count("questions", filter=Q(questions__is_active=True)))
        .filter(n__gt=0)
    )


LETTERS = "ABCDEFGH"


@dataclass
class ChoiceView:
    pk: int
    letter: str
    text: str
    is_correct: bool
    chosen: bool


@dataclass
class QuizQuestion:
    number: int
    question: Question
    choices: list
    answered: bool = False
    is_correct: bool = False
    chosen: list[int] = field(default_factory=list)
    correct_ids: set[int] = field(default_factory=set)

    @property
    def correct_choices(self) -> list[ChoiceView]:
        return [c for c in self.choices if c.is_correct]

    @property
    def chosen_choices(self) -> list[ChoiceView]:
        return [c for c in self.choices if c.chosen]

    @property
    def is_multiple(self) -> bool:
        return self.question.kind == Question.Kind.MULTIPLE


@dataclass
class QuizView:
    items: list[QuizQuestion]
    current: QuizQuestion | None
    last: QuizQuestion | None
    correct: int

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.answered)

    @property
    def finished(self) -> bool:
        return self.answered == self.total


def quiz_view(
    *, question_ids: list[int], answers: dict[int, dict], last_id: int | None
) -> QuizView:
    """What a quiz screen shows: every question in order, which are answered, the next one.

    ``answers`` maps question id -> {"chosen": [...], "correct": bool}; ``last_id`` is the question
    answered most recently, whose explanation is shown above the next question.
    """
    questions = Question.objects.select_related("source_page").prefetch_related("choices")
    by_id = {q.pk: q for q in questions.filter(pk__in=question_ids)}
    items = []
    for number, pk in enumerate(question_ids, start=1):
        question = by_id.get(pk)
        if question is None:  # deleted from the bank since the quiz began
            continue
        answer = answers.get(pk)
        chosen = set(answer["chosen"]) if answer else set()
        choices = [
            ChoiceView(c.pk, LETTERS[i % len(LETTERS)], c.text, c.is_correct, c.pk in chosen)
            for i, c in enumerate(question.choices.all())
        ]
        items.append(
            QuizQuestion(
                number=number,
                question=question,
                choices=choices,
                answered=answer is not None,
                is_correct=bool(answer and answer["correct"]),
                chosen=list(answer["chosen"]) if answer else [],
                correct_ids={c.pk for c in choices if c.is_correct},
            )
        )
    current = next((item for item in items if not item.answered), None)
    last = next((item for item in items if item.question.pk == last_id), None)
    return QuizView(
        items=items, current=current, last=last, correct=sum(1 for i in items if i.is_correct)
    )


def attempt_answers(attempt: QuizAttempt) -> tuple[dict[int, dict], int | None]:
    answers = {}
    last_id = None
    for row in attempt.answers.order_by("answered_at", "pk"):
        answers[row.question_id] = {"chosen": row.chosen, "correct": row.is_correct}
        last_id = row.question_id
    return answers, last_id


def month_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, 1))


def leaderboard(*, subdistrict: Subdistrict | None, period: str = "month") -> list[dict]:
    """Top learners by points earned (spending does not lower a rank): opted-in nicknames only."""
    earned = Q(
        user__ledger_entries__reason__in=[
            LedgerEntry.Reason.READING,
            LedgerEntry.Reason.QUIZ,
            LedgerEntry.Reason.SURVEY,
        ]
    )
    if period == "month":
        earned &= Q(user__ledger_entries__created_at__gte=month_start(timezone.localdate()))
    accounts = PointsAccount.objects.filter(on_leaderboard=True).exclude(nickname="")
    if subdistrict is not None:
        accounts = accounts.filter(subdistrict=subdistrict)
    rows = (
        accounts.annotate(points=Sum("user__ledger_entries__amount", filter=earned))
        .filter(points__gt=0)
        .order_by("-points", "pk")
        .values("nickname", "points", "subdistrict__name")[:LEADERBOARD_SIZE]
    )
    return [{"rank": i, **row} for i, row in enumerate(rows, start=1)]


# --- staff statistics ---------------------------------------------------------------------------


def _bars(rows: list[tuple[str, float]]) -> list[dict]:
    peak = max((value for _label, value in rows), default=0) or 1
    return [
        {"label": label, "value": value, "pct": round(100 * value / peak, 1)}
        for label, value in rows
    ]


def _per_subdistrict(queryset, expression):
    """A correlated subquery: ``expression`` aggregated over ``queryset``'s rows of one
    sub-district (0 when none)."""
    rows = (
        queryset.filter(subdistrict=OuterRef("pk"))
        .order_by()
        .values("subdistrict")
        .annotate(total=expression)
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def subdistrict_participation(*, date_from: dt.date, date_to: dt.date):
    """Active sub-districts with their quiz takers, points issued and points redeemed (net of
    cancellations) between two dates (inclusive): the rows of ``statistics()["subdistricts"]``
    as a queryset (the statistics list and its export). Aggregates only; no personal data."""
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    daily = QuizAttempt.objects.filter(
        kind=QuizAttempt.Kind.DAILY, date__gte=date_from, date__lte=date_to
    )
    entries = LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
    Reason = LedgerEntry.Reason
    spent = entries.filter(reason__in=[Reason.REDEMPTION, Reason.REFUND])
    return Subdistrict.objects.filter(is_active=True).annotate(
        learners=_per_subdistrict(daily, Count("user", distinct=True)),
        issued=_per_subdistrict(
            entries.exclude(reason__in=[Reason.REDEMPTION, Reason.REFUND]), Sum("amount")
        ),
        redeemed=-_per_subdistrict(spent, Sum("amount")),
    )


def statistics(*, date_from: dt.date, date_to: dt.date) -> dict:
    """Participation between two dates (inclusive): quiz takers per day, scores per topic, points
    issued and redeemed per sub-district. A handful of aggregate queries; no personal data."""
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))

    daily = QuizAttempt.objects.filter(
        kind=QuizAttempt.Kind.DAILY, date__gte=date_from, date__lte=date_to
    )
    takers = dict(
        daily.values("date").annotate(n=Count("user", distinct=True)).values_list("date", "n")
    )
    days = []
    day = date_from
    while day <= date_to:
        days.append((day, takers.get(day, 0)))
        day += dt.timedelta(days=1)

    topic_rows = (
        AttemptAnswer.objects.filter(answered_at__gte=start, answered_at__lt=end)
        .values("question__topic__name", "question__topic__sort_order")
        .annotate(
            answers=Count("pk"),
            correct=Count("pk", filter=Q(is_correct=True)),
            learners=Count("attempt__user", distinct=True),
        )
        .order_by("question__topic__sort_order", "question__topic__name")
    )
    topics = [
        {
            "topic": row["question__topic__name"],
            "answers": row["answers"],
            "learners": row["learners"],
            "score": round(100 * row["correct"] / row["answers"], 1) if row["answers"] else 0,
        }
        for row in topic_rows
    ]

    entries = LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
    by_sub: dict[int | None, dict] = {}
    for row in entries.values("subdistrict_id", "reason").annotate(total=Sum("amount")):
        bucket = by_sub.setdefault(row["subdistrict_id"], {"issued": 0, "redeemed": 0})
        if row["reason"] == LedgerEntry.Reason.REDEMPTION:
            bucket["redeemed"] += -row["total"]
        elif row["reason"] == LedgerEntry.Reason.REFUND:
            bucket["redeemed"] -= row["total"]
        else:
            bucket["issued"] += row["total"]
    learners = dict(
        daily.values("subdistrict_id")
        .annotate(n=Count("user", distinct=True))
        .values_list("subdistrict_id", "n")
    )
    subdistricts = []
    for sub in Subdistrict.objects.filter(is_active=True):
        bucket = by_sub.get(sub.pk, {"issued": 0, "redeemed": 0})
        subdistricts.append({"name": sub.name, "learners": learners.get(sub.pk, 0), **bucket})
    unknown = by_sub.get(None)
    if unknown or learners.get(None):
        bucket = unknown or {"issued": 0, "redeemed": 0}
        subdistricts.append({"name": None, "learners": learners.get(None, 0), **bucket})

    finished = daily.filter(finished_at__isnull=False)
    summary = finished.aggregate(n=Count("pk"), avg=Avg("correct_count"))
    return {
        "date_from": date_from,
        "date_to": date_to,
        "days": days,
        "day_peak": max((n for _d, n in days), default=0),
        "topics": topics,
        "topic_bars": _bars([(t["topic"], t["score"]) for t in topics]),
        "subdistricts": subdistricts,
        "issued_total": sum(s["issued"] for s in subdistricts),
        "redeemed_total": sum(s["redeemed"] for s in subdistricts),
        "quizzes_finished": summary["n"] or 0,
        "average_correct": round(summary["avg"], 2) if summary["avg"] is not None else None,
        "learners": daily.values("user").distinct().count(),
        "pending_redemptions": Redemption.objects.filter(state=Redemption.State.PENDING).count(),
    }
