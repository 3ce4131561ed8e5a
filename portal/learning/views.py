"""Public and resident views: quizzes, rewards, 我的积分, the leaderboard. Thin: parse, call
``services``/``selectors``, render. Every page is private (``never_cache``): it shows the
visitor's own quiz, points or session state."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from portal.learning import selectors, services
from portal.learning.forms import LeaderboardForm, ProfileForm
from portal.learning.models import QuizAttempt, Redemption, Reward, Topic

TRY_SESSION_KEY = "learning_try"


@never_cache
def index(request):
    today_attempt = None
    balance = None
    if request.user.is_authenticated:
        today_attempt = QuizAttempt.objects.filter(
            user=request.user, kind=QuizAttempt.Kind.DAILY, date=timezone.localdate()
        ).first()
        balance = services.balance_of(request.user)
    rules = services.current_settings()
    return render(
        request,
        "learning/index.html",
        {
            "topics": selectors.topics_with_counts(),
            "today_attempt": today_attempt,
            "balance": balance,
            "rules": rules,
        },
    )


@never_cache
def daily(request):
    """Today's quiz: the signed-in learner's (the same on every reload), or a session trial."""
    if not request.user.is_authenticated:
        return _start_try(request, topic=None)
    try:
        attempt = services.daily_quiz_for(user=request.user)
    except services.QuizRefused as exc:
        messages.error(request, exc.message)
        return redirect("learning:index")
    return redirect("learning:attempt", pk=attempt.pk)


@require_POST
def topic_start(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug, is_active=True)
    if not request.user.is_authenticated:
        return _start_try(request, topic=topic)
    try:
        attempt = services.topic_quiz_start(user=request.user, topic=topic)
    except services.QuizRefused as exc:
        messages.error(request, exc.message)
        return redirect("learning:index")
    return redirect("learning:attempt", pk=attempt.pk)


def _choice_ids(request) -> list[int]:
    return services.parse_choice_ids(request.POST.getlist("choice"))


@never_cache
@login_required
def attempt(request, pk: int):
    attempt = selectors.attempt_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.answer_submit(
                attempt=attempt,
                question_id=request.POST.get("question"),
                choice_ids=_choice_ids(request),
            )
        except services.QuizRefused as exc:
            messages.error(request, exc.message)
        return redirect("learning:attempt", pk=attempt.pk)
    attempt.refresh_from_db()
    answers, last_id = selectors.attempt_answers(attempt)
    view = selectors.quiz_view(question_ids=attempt.question_ids, answers=answers, last_id=last_id)
    if attempt.topic_id:
        title = attempt.topic.name
    elif attempt.kind == QuizAttempt.Kind.DAILY:
        title = _("Daily quiz")
    else:
        title = _("Topic quiz")
    return render(
        request,
        "learning/quiz.html",
        {
            "view": view,
            "attempt": attempt,
            "title": title,
            "form_action": reverse("learning:attempt", args=[attempt.pk]),
            "is_trial": False,
            "expired": attempt.kind == QuizAttempt.Kind.DAILY
            and attempt.date != timezone.localdate()
            and not attempt.is_finished,
        },
    )


def _start_try(request, *, topic):
    try:
        request.session[TRY_SESSION_KEY] = services.try_quiz_new(topic=topic)
    except services.QuizRefused as exc:
        messages.error(request, exc.message)
        return redirect("learning:index")
    return redirect("learning:try")


@never_cache
def try_quiz(request):
    """The quiz for visitors who are not signed in: no points; kept in the session only."""
    state = request.session.get(TRY_SESSION_KEY)
    if not state:
        if request.method == "POST":
            # The answer came without the session that holds the quiz (cookies blocked or the
            # session expired): say so instead of starting over silently.
            messages.error(
                request,
                _("Your quiz was not found. Please allow cookies for this site and start again."),
            )
            return redirect("learning:index")
        # Start today's trial here and show it at once. Never redirect back to the daily quiz:
        # for a client that keeps no cookies the session would be empty again on every request,
        # and daily → try → daily would loop.
        try:
            state = services.try_quiz_new(topic=None)
        except services.QuizRefused as exc:
            messages.error(request, exc.message)
            return redirect("learning:index")
        request.session[TRY_SESSION_KEY] = state
    if request.method == "POST":
        try:
            new_state = services.try_quiz_answer(
                state=state,
                question_id=request.POST.get("question"),
                choice_ids=_choice_ids(request),
            )
        except services.QuizRefused as exc:
            messages.error(request, exc.message)
        else:
            new_state["last"] = int(request.POST.get("question"))
            request.session[TRY_SESSION_KEY] = new_state
        return redirect("learning:try")
    answers = {int(k): v for k, v in state.get("answers", {}).items()}
    view = selectors.quiz_view(
        question_ids=[int(q) for q in state["questions"]],
        answers=answers,
        last_id=state.get("last"),
    )
    topic = Topic.objects.filter(pk=state.get("topic")).first() if state.get("topic") else None
    return render(
        request,
        "learning/quiz.html",
        {
            "view": view,
            "attempt": None,
            "title": topic.name if topic else _("Try the quiz"),
            "form_action": reverse("learning:try"),
            "is_trial": True,
            "trial_topic": topic,
        },
    )


@never_cache
def rewards(request):
    today = timezone.localdate()
    items = [
        r
        for r in Reward.objects.filter(is_active=True).select_related("image")
        if r.is_valid_on(today)
    ]
    balance = services.balance_of(request.user) if request.user.is_authenticated else None
    return render(
        request,
        "learning/rewards.html",
        {"rewards": items, "balance": balance, "nonce": secrets.token_urlsafe(18)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def redeem(request, pk: int):
    """GET: the confirmation step (the item, its cost, my balance now and after); POST (from
    that step): redeem."""
    if request.method == "GET":
        today = timezone.localdate()
        reward = Reward.objects.filter(pk=pk, is_active=True).select_related("image").first()
        if reward is None or not reward.is_valid_on(today):
            raise Http404
        balance = services.balance_of(request.user)
        return render(
            request,
            "learning/redeem_confirm.html",
            {
                "reward": reward,
                "balance": balance,
                "after": balance - reward.points,
                "enough": balance >= reward.points and reward.stock > 0,
                "nonce": f"{secrets.token_urlsafe(18)}-{reward.pk}",
            },
        )
    try:
        redemption = services.redeem(
            user=request.user, reward_id=pk, nonce=request.POST.get("nonce", "")
        )
    except services.RedemptionRefused as exc:
        if exc.reason == "duplicate" and exc.redemption is not None:
            messages.info(request, exc.message)
            return redirect("learning:redemption", pk=exc.redemption.pk)
        messages.error(request, exc.message)
        return redirect("learning:rewards")
    messages.success(
        request,
        _("Redeemed: %(reward)s. Show your pickup code when you collect it.")
        % {"reward": redemption.reward.name},
    )
    return redirect("learning:redemption", pk=redemption.pk)


@never_cache
@login_required
def redemption(request, pk: int):
    item = Redemption.objects.select_related("reward").filter(pk=pk, user=request.user).first()
    if item is None:
        raise Http404
    return render(
        request,
        "learning/redemption.html",
        {"redemption": item, "code": services.format_code(item.code)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def redemption_cancel(request, pk: int):
    """The resident cancels their own pending redemption (GET: confirm; POST: cancel)."""
    item = Redemption.objects.select_related("reward").filter(pk=pk, user=request.user).first()
    if item is None:
        raise Http404
    if request.method == "POST":
        try:
            services.redemption_cancel(redemption_id=item.pk, actor=request.user)
        except services.RedemptionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Redemption cancelled: %(points)d point is back in your account.",
                    "Redemption cancelled: %(points)d points are back in your account.",
                    item.points,
                )
                % {"points": item.points},
            )
        return redirect("learning:redemption", pk=item.pk)
    if item.state != Redemption.State.PENDING:
        messages.info(request, _("This redemption can no longer be cancelled."))
        return redirect("learning:redemption", pk=item.pk)
    balance = services.balance_of(request.user)
    return render(
        request,
        "learning/redemption_cancel.html",
        {
            "redemption": item,
            "code": services.format_code(item.code),
            "balance": balance,
            "after": balance + item.points,
        },
    )


@never_cache
@login_required
def my_points(request):
    account = services.account_for(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=account)
        if form.is_valid():
            services.account_update(
                user=request.user,
                nickname=form.cleaned_data["nickname"],
                subdistrict=form.cleaned_data["subdistrict"],
                on_leaderboard=form.cleaned_data["on_leaderboard"],
            )
            messages.success(request, _("Your leaderboard settings are saved."))
            return redirect("learning:me")
    else:
        form = ProfileForm(instance=account)
    ledger = Paginator(selectors.ledger_for(user=request.user), 20).get_page(request.GET.get("p"))
    return render(
        request,
        "learning/me.html",
        {
            "form": form,
            "balance": services.balance_of(request.user),
            "ledger": ledger,
            "attempts": selectors.attempts_for(user=request.user)[:30],
            "redemptions": [
                (r, services.format_code(r.code))
                for r in selectors.redemptions_for(user=request.user)[:50]
            ],
        },
    )


@never_cache
def leaderboard(request):
    form = LeaderboardForm(request.GET or None)
    subdistrict = None
    period = "month"
    if form.is_valid():
        subdistrict = form.cleaned_data.get("subdistrict")
        period = form.cleaned_data.get("period") or "month"
    return render(
        request,
        "learning/leaderboard.html",
        {
            "form": form,
            "rows": selectors.leaderboard(subdistrict=subdistrict, period=period),
            "subdistrict": subdistrict,
            "period": period,
        },
    )
