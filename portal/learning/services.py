"""The only writers of learning data: points awards, quizzes and their answers, redemptions.

Keyword-only functions; each runs its writes in one transaction.

Points
    ``award`` is the one way to add points. It locks the learner's ``PointsAccount`` row, and the
    ledger's unique idempotency key turns a second award with the same key into a no-op (even
    when two requests race: the loser's insert fails and is ignored). Keys:
    ``read:<page id>:<user id>``, ``quiz:<date>:<user id>``, ``survey:<survey id>:<user id>``,
    ``redeem:<redemption id>``, ``refund:<redemption id>``.
Redemption
    ``redeem`` locks the account row, then the reward row (always in that order), and checks
    validity, stock, the per-person limit and the balance inside the same transaction, so two
    redemptions racing for the last points or the last item cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import re
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from portal import codes
from portal.learning.models import (
    AttemptAnswer,
    LearningSettings,
    LedgerEntry,
    PointsAccount,
    Question,
    QuizAttempt,
    Redemption,
    Reward,
    Topic,
)
from portal.learning.policies import redemption_policy
from portal.privacy import services as privacy
from portal.privacy.models import CollectionPoint
from portal.transitions import (
    Context,
    StateMachine,
    Transition,
    TransitionForbidden,
    transition,
)

CODE_LENGTH = 10
RECENT_DAYS = 6  # the daily quiz avoids questions the learner had in the last days, if it can
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class QuizRefused(Exception):
    """An answer or quiz request that cannot be accepted; nothing was written."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


class RedemptionRefused(Exception):
    """A redemption that cannot be made (or handled); nothing was written."""

    def __init__(self, reason: str, message: str, redemption: Redemption | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.redemption = redemption


# --- settings and accounts ----------------------------------------------------------------------


def current_settings() -> LearningSettings:
    """The points rules of the default site (unsaved defaults when there is no site yet)."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return LearningSettings()
    return LearningSettings.for_site(site)


def account_for(user) -> PointsAccount:
    account = PointsAccount.objects.filter(user=user).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account = PointsAccount.objects.create(user=user)
            # The learning notice (portal.privacy) is agreed to when the account starts.
            privacy.record_consent(CollectionPoint.LEARNING, user=user)
            return account
    except IntegrityError:
        return PointsAccount.objects.get(user=user)


def account_update(*, user, nickname: str, subdistrict, on_leaderboard: bool) -> PointsAccount:
    account = account_for(user)
    account.nickname = nickname.strip()
    account.subdistrict = subdistrict
    account.on_leaderboard = bool(on_leaderboard and account.nickname)
    account.save(update_fields=["nickname", "subdistrict", "on_leaderboard"])
    return account


def balance_of(user) -> int:
    return LedgerEntry.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or 0


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


# --- awards -----------------------------------------------------------------------------------


def award(
    *,
    user,
    amount: int,
    reason: str,
    key: str,
    note: str = "",
    daily_cap: int | None = None,
) -> LedgerEntry | None:
    """Add ``amount`` points once per ``key``. Returns the new entry, or None if nothing was added
    (the key was used before, or ``daily_cap`` points of this reason were already given today)."""
    if amount <= 0:
        raise ValueError("An award must be a positive number of points.")
    if reason not in (
        LedgerEntry.Reason.READING,
        LedgerEntry.Reason.QUIZ,
        LedgerEntry.Reason.SURVEY,
    ):
        raise ValueError(f"Not an award reason: {reason}")
    account = account_for(user)
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().get(pk=account.pk)
        if LedgerEntry.objects.filter(key=key).exists():
            return None
        if daily_cap is not None:
            start, end = _day_bounds(timezone.localdate())
            given = (
                LedgerEntry.objects.filter(
                    user=user, reason=reason, created_at__gte=start, created_at__lt=end
                ).aggregate(total=Sum("amount"))["total"]
                or 0
            )
            amount = min(amount, daily_cap - given)
            if amount <= 0:
                return None
        try:
            with transaction.atomic():
                return LedgerEntry.objects.create(
                    user=user,
                    amount=amount,
                    reason=reason,
                    key=key,
                    note=note[:200],
                    subdistrict_id=account.subdistrict_id,
                )
        except IntegrityError:
            return None  # the same key won a race with us


def award_reading(*, user, page) -> LedgerEntry | None:
    """Points for opening a column article: once per article, at most the daily cap per day."""
    rules = current_settings()
    if not rules.points_per_article or not rules.daily_reading_cap:
        return None
    return award(
        user=user,
        amount=rules.points_per_article,
        reason=LedgerEntry.Reason.READING,
        key=f"read:{page.pk}:{user.pk}",
        note=page.title,
        daily_cap=rules.daily_reading_cap,
    )


def award_survey_completion(*, survey_id: int, user) -> LedgerEntry | None:
    """Points for completing a survey. Only the fact is recorded: no response, no answers."""
    rules = current_settings()
    if not rules.points_per_survey:
        return None
    return award(
        user=user,
        amount=rules.points_per_survey,
        reason=LedgerEntry.Reason.SURVEY,
        key=f"survey:{survey_id}:{user.pk}",
    )


# --- quizzes ----------------------------------------------------------------------------------


def active_question_ids(*, topic: Topic | None = None) -> list[int]:
    qs = Question.objects.filter(is_active=True, topic__is_active=True)
    if topic is not None:
        qs = qs.filter(topic=topic)
    return sorted(qs.values_list("pk", flat=True))


def pick_daily_questions(*, user_id: int, day: dt.date, size: int) -> list[int]:
    """The day's questions for one learner: a fixed function of (user, date, the bank).

    Questions the learner had in the previous days are left out while enough others remain, so
    the next day brings new questions. The seed is keyed with SECRET_KEY so nobody can compute
    another day's set in advance.
    """
    active = active_question_ids()
    recent = set()
    for ids in QuizAttempt.objects.filter(
        user_id=user_id,
        kind=QuizAttempt.Kind.DAILY,
        date__gte=day - dt.timedelta(days=RECENT_DAYS),
        date__lt=day,
    ).values_list("question_ids", flat=True):
        recent.update(ids)
    pool = [pk for pk in active if pk not in recent]
    if len(pool) < size:
        pool = active
    seed = hmac.new(
        settings.SECRET_KEY.encode(),
        f"learning-daily:{user_id}:{day.isoformat()}".encode(),
        hashlib.sha256,
    ).hexdigest()
    rng = random.Random(seed)  # noqa: S311 - deterministic by design, keyed by the secret
    return rng.sample(pool, min(size, len(pool)))


def daily_quiz_for(*, user, day: dt.date | None = None) -> QuizAttempt:
    """Today's daily quiz of ``user``: created on first visit, the same one on every reload."""
    day = day or timezone.localdate()
    attempt = QuizAttempt.objects.filter(user=user, kind=QuizAttempt.Kind.DAILY, date=day).first()
    if attempt is not None:
        return attempt
    questions = pick_daily_questions(
        user_id=user.pk, day=day, size=current_settings().daily_quiz_size
    )
    if not questions:
        raise QuizRefused("empty", _("There are no quiz questions yet. Please come back later."))
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                user=user,
                kind=QuizAttempt.Kind.DAILY,
                date=day,
                question_ids=questions,
                subdistrict_id=account_for(user).subdistrict_id,
            )
    except IntegrityError:  # a second tab created it at the same moment
        return QuizAttempt.objects.get(user=user, kind=QuizAttempt.Kind.DAILY, date=day)


def random_question_ids(*, topic: Topic | None, size: int) -> list[int]:
    pool = active_question_ids(topic=topic)
    return secrets.SystemRandom().sample(pool, min(size, len(pool)))


def topic_quiz_start(*, user, topic: Topic) -> QuizAttempt:
    """A practice quiz on one topic (no points); as many as the learner likes."""
    questions = random_question_ids(topic=topic, size=current_settings().topic_quiz_size)
    if not questions:
        raise QuizRefused("empty", _("This topic has no questions yet."))
    return QuizAttempt.objects.create(
        user=user,
        kind=QuizAttempt.Kind.TOPIC,
        topic=topic,
        date=timezone.localdate(),
        question_ids=questions,
        subdistrict_id=account_for(user).subdistrict_id,
    )


def parse_choice_ids(values: Iterable[str]) -> list[int]:
    ids = []
    for value in values:
        value = str(value).strip()
        if not value.isdigit() or len(value) > 18:
            raise QuizRefused("invalid_choice", _("Choose an answer from the list."))
        ids.append(int(value))
    return ids


def grade(question: Question, choice_ids: list[int]) -> bool:
    """True when ``choice_ids`` are exactly the correct choices; refuses choices of other questions."""
    chosen = set(choice_ids)
    choices = list(question.choices.all())
    if not chosen:
        raise QuizRefused("no_choice", _("Please choose an answer."))
    if not chosen <= {c.pk for c in choices}:
        raise QuizRefused("invalid_choice", _("Choose an answer from the list."))
    if question.kind != Question.Kind.MULTIPLE and len(chosen) != 1:
        raise QuizRefused("invalid_choice", _("Choose exactly one answer."))
    return chosen == {c.pk for c in choices if c.is_correct}


def _question_in(question_ids: list[int], question_id) -> Question:
    try:
        question_id = int(question_id)
    except (TypeError, ValueError):
        question_id = None
    if question_id not in question_ids:
        raise QuizRefused("not_in_quiz", _("That question is not part of this quiz."))
    question = Question.objects.prefetch_related("choices").filter(pk=question_id).first()
    if question is None:
        raise QuizRefused("not_in_quiz", _("That question is not part of this quiz."))
    return question


def answer_submit(*, attempt: QuizAttempt, question_id, choice_ids: list[int]) -> AttemptAnswer:
    """Check and store one answer; when it is the last one, finish the quiz and award points.

    Refused (nothing written): a question outside the attempt's set, a question already answered,
    an attempt already finished, a daily quiz of another day, choices of another question.
    """
    with transaction.atomic():
        attempt = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.is_finished:
            raise QuizRefused("finished", _("You have already finished this quiz."))
        if attempt.kind == QuizAttempt.Kind.DAILY and attempt.date != timezone.localdate():
            raise QuizRefused(
                "expired", _("This daily quiz has ended. Today's quiz has new questions.")
            )
        question = _question_in(attempt.question_ids, question_id)
        is_correct = grade(question, choice_ids)
        try:
            with transaction.atomic():
                answer = AttemptAnswer.objects.create(
                    attempt=attempt,
                    question=question,
                    chosen=sorted(set(choice_ids)),
                    is_correct=is_correct,
                )
        except IntegrityError:
            raise QuizRefused("answered", _("You have already answered this question.")) from None
        answers = list(attempt.answers.values_list("is_correct", flat=True))
        if len(answers) >= len(attempt.question_ids):
            _finish(attempt, correct=sum(answers))
    return answer


def _finish(attempt: QuizAttempt, *, correct: int) -> None:
    attempt.finished_at = timezone.now()
    attempt.correct_count = correct
    points = 0
    if attempt.kind == QuizAttempt.Kind.DAILY and correct:
        rules = current_settings()
        amount = correct * rules.points_per_correct_answer
        if amount > 0:
            entry = award(
                user=attempt.user,
                amount=amount,
                reason=LedgerEntry.Reason.QUIZ,
                key=f"quiz:{attempt.date.isoformat()}:{attempt.user_id}",
                note=_("%(correct)d of %(total)d correct")
                % {"correct": correct, "total": attempt.total},
            )
            points = entry.amount if entry else 0
    attempt.points_awarded = points
    attempt.save(update_fields=["finished_at", "correct_count", "points_awarded"])


# --- the anonymous "try it" quiz, kept in the session only --------------------------------------


def try_quiz_new(*, topic: Topic | None = None) -> dict:
    size = current_settings().daily_quiz_size
    questions = random_question_ids(topic=topic, size=size)
    if not questions:
        raise QuizRefused("empty", _("There are no quiz questions yet. Please come back later."))
    return {
        "questions": questions,
        "answers": {},
        "topic": topic.pk if topic else None,
        "nonce": secrets.token_urlsafe(8),
    }


def try_quiz_answer(*, state: dict, question_id, choice_ids: list[int]) -> dict:
    """Grade one answer of a session quiz; returns the new state (the caller stores it)."""
    questions = [int(q) for q in state.get("questions", [])]
    answers = dict(state.get("answers", {}))
    if questions and len(answers) >= len(questions):
        raise QuizRefused("finished", _("You have already finished this quiz."))
    question = _question_in(questions, question_id)
    if str(question.pk) in answers:
        raise QuizRefused("answered", _("You have already answered this question."))
    answers[str(question.pk)] = {
        "chosen": sorted(set(choice_ids)),
        "correct": grade(question, choice_ids),
    }
    return {**state, "answers": answers}


# --- redemption -------------------------------------------------------------------------------


def new_pickup_code() -> str:
    return codes.random_code(CODE_LENGTH)


def format_code(code: str) -> str:
    """The pickup code for people, in the portal's one code format (portal/codes.py)."""
    return codes.format_code(code)


def redeem(*, user, reward_id: int, nonce: str) -> Redemption:
    """Spend points on a reward and reserve one item; returns the redemption with its pickup code.

    ``nonce`` comes from the form: the same form sent twice (a double click) is one redemption.
    """
    if not nonce or not NONCE_RE.match(nonce):
        raise RedemptionRefused(
            "stale", _("The form has expired. Please reload the page and try again.")
        )
    request_key = f"{user.pk}:{nonce}"
    previous = Redemption.objects.filter(request_key=request_key).first()
    if previous is not None:
        raise RedemptionRefused("duplicate", _("This redemption has already been made."), previous)
    account = account_for(user)
    today = timezone.localdate()
    with transaction.atomic():
        account = PointsAccount.objects.select_for_update().get(pk=account.pk)
        reward = Reward.objects.select_for_update().filter(pk=reward_id).first()
        if reward is None or not reward.is_active or not reward.is_valid_on(today):
            raise RedemptionRefused("unavailable", _("This reward is not on offer."))
        if reward.stock <= 0:
            raise RedemptionRefused("out_of_stock", _("Sorry, this reward is out of stock."))
        taken = (
            Redemption.objects.filter(user=user, reward=reward)
            .exclude(state=Redemption.State.CANCELLED)
            .count()
        )
        if taken >= reward.per_person_limit:
            raise RedemptionRefused(
                "limit", _("You have already redeemed this reward as often as allowed.")
            )
        if balance_of(user) < reward.points:
            raise RedemptionRefused("balance", _("You do not have enough points for this reward."))
        if not Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1):
            raise RedemptionRefused("out_of_stock", _("Sorry, this reward is out of stock."))
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(
                    user=user,
                    reward=reward,
                    points=reward.points,
                    code=_unique_code(),
                    request_key=request_key,
                    subdistrict_id=account.subdistrict_id,
                )
        except IntegrityError:
            raise RedemptionRefused(
                "duplicate", _("This redemption has already been made.")
            ) from None
        LedgerEntry.objects.create(
            user=user,
            amount=-reward.points,
            reason=LedgerEntry.Reason.REDEMPTION,
            key=f"redeem:{redemption.pk}",
            note=reward.name[:200],
            subdistrict_id=account.subdistrict_id,
        )
    return redemption


def _unique_code() -> str:
    for _attempt in range(10):
        code = new_pickup_code()
        if not Redemption.objects.filter(code=code).exists():
            return code
    raise RuntimeError("Could not find a free pickup code")


# --- the redemption state machine ------------------------------------------------------------
#
# pending → fulfilled (handed over) or cancelled (points and stock come back). Run by
# ``portal.transitions``: lock, policy, from-state, fields, in one transaction. A redemption has
# no event log of its own: ``decided_at``/``decided_by`` and the refund ledger entry record it.


def _may_handle_redemptions(actor, redemption: Redemption) -> bool:
    """The pickup desk's right (its permission policy), or the system (``actor=None``: demo data)."""
    return actor is None or redemption_policy.user_has_permission(actor, "desk")


def _lock_redemption(redemption: Redemption) -> Redemption:
    """Lock the redemption's row only (``of``): the joined reward is read, not locked. A refund
    then locks the account before the reward, in the same order as :func:`redeem`; locking the
    reward here first would let a cancel and a redemption of the same resident deadlock."""
    locked = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("reward")
        .filter(pk=redemption.pk)
        .first()
    )
    if locked is None:
        raise RedemptionRefused("missing", _("No such redemption."))
    return locked


def _already_handled(ctx: Context) -> RedemptionRefused:
    return RedemptionRefused(
        "handled",
        _("This redemption has already been handled (%(state)s).")
        % {"state": ctx.obj.get_state_display()},
        ctx.obj,
    )


def _may_cancel_redemption(actor, redemption: Redemption) -> bool:
    """The pickup desk, the system, or the resident who redeemed (until pickup: the from-state)."""
    if _may_handle_redemptions(actor, redemption):
        return True
    return bool(getattr(actor, "is_authenticated", False) and actor.pk == redemption.user_id)


def _forbidden(ctx: Context) -> TransitionForbidden:
    return TransitionForbidden(_("Only the pickup desk may handle redemptions."))


def _decide(ctx: Context) -> None:
    ctx.obj.decided_at = ctx.now
    ctx.obj.decided_by = ctx.actor


def _refund(ctx: Context) -> None:
    redemption = ctx.obj
    account = account_for(redemption.user)
    PointsAccount.objects.select_for_update().get(pk=account.pk)
    Reward.objects.select_for_update().filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    LedgerEntry.objects.create(
        user_id=redemption.user_id,
        amount=redemption.points,
        reason=LedgerEntry.Reason.REFUND,
        key=f"refund:{redemption.pk}",
        note=redemption.reward.name[:200],
        subdistrict_id=redemption.subdistrict_id,
    )
    _decide(ctx)


REDEMPTIONS = StateMachine(
    "redemptions",
    model=Redemption,
    state_field="state",
    lock=_lock_redemption,
    not_allowed=_already_handled,
    forbidden=_forbidden,
    transitions=[
        Transition(
            "fulfil",
            (Redemption.State.PENDING,),
            Redemption.State.FULFILLED,
            policy=_may_handle_redemptions,
            apply=_decide,
        ),
        Transition(
            "cancel",
            (Redemption.State.PENDING,),
            Redemption.State.CANCELLED,
            policy=_may_cancel_redemption,
            apply=_refund,
        ),
    ],
)


def redemption_fulfil(*, redemption_id: int, actor) -> Redemption:
    """Staff hand the reward over."""
    return transition(REDEMPTIONS, Redemption(pk=redemption_id), "fulfil", actor=actor).obj


def redemption_cancel(*, redemption_id: int, actor) -> Redemption:
    """The pickup desk, or the resident who redeemed, cancels a pending redemption (not after
    pickup): the points come back as one new ledger entry (``refund:<pk>``, unique), the item
    to stock."""
    return transition(REDEMPTIONS, Redemption(pk=redemption_id), "cancel", actor=actor).obj
