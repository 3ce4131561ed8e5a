"""Daily and topic quizzes: the same set all day and a new one the next, answers checked on the
server, forged and replayed answers refused with a message and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.learning import services
from portal.learning.models import AttemptAnswer, LedgerEntry, QuizAttempt
from tests.learning.conftest import correct_ids, wrong_id

REFUSED = {
    "not_in_quiz": ("That question is not part of this quiz.", "该题不属于本次答题。"),
}


def answer_all(attempt, *, right: int):
    questions = {q.pk: q for q in _questions(attempt)}
    for index, pk in enumerate(attempt.question_ids):
        question = questions[pk]
        choice = correct_ids(question) if index < right else [wrong_id(question)]
        services.answer_submit(attempt=attempt, question_id=pk, choice_ids=choice)
    attempt.refresh_from_db()
    return attempt


def _questions(attempt):
    from portal.learning.models import Question

    return Question.objects.filter(pk__in=attempt.question_ids).prefetch_related("choices")


def test_the_daily_quiz_is_the_same_all_day_and_new_the_next_day(bank, resident):
    today = timezone.localdate()
    first = services.daily_quiz_for(user=resident, day=today)
    again = services.daily_quiz_for(user=resident, day=today)
    assert first.pk == again.pk
    assert first.question_ids == again.question_ids
    assert len(first.question_ids) == services.current_settings().daily_quiz_size
    tomorrow = services.daily_quiz_for(user=resident, day=today + dt.timedelta(days=1))
    assert tomorrow.pk != first.pk
    # 24 questions in the bank: the next day avoids yesterday's five entirely.
    assert not set(tomorrow.question_ids) & set(first.question_ids)


def test_the_daily_selection_is_a_function_of_user_and_date(bank, resident, other_resident):
    day = dt.date(2026, 3, 1)
    a = services.pick_daily_questions(user_id=resident.pk, day=day, size=5)
    assert a == services.pick_daily_questions(user_id=resident.pk, day=day, size=5)
    others = [
        services.pick_daily_questions(user_id=other_resident.pk, day=day, size=5),
        services.pick_daily_questions(user_id=resident.pk, day=day + dt.timedelta(days=1), size=5),
    ]
    assert all(o != a for o in others)


def test_reloading_the_daily_page_shows_the_same_quiz(client, bank, resident):
    client.force_login(resident)
    first = client.get(reverse("learning:daily"))
    second = client.get(reverse("learning:daily"))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert QuizAttempt.objects.filter(user=resident).count() == 1


def test_finishing_the_daily_quiz_awards_points_scaled_by_correct_answers(bank, resident):
    attempt = services.daily_quiz_for(user=resident)
    attempt = answer_all(attempt, right=3)
    rules = services.current_settings()
    assert attempt.is_finished
    assert attempt.correct_count == 3
    assert attempt.points_awarded == 3 * rules.points_per_correct_answer
    entry = LedgerEntry.objects.get(user=resident)
    assert entry.key == f"quiz:{attempt.date.isoformat()}:{resident.pk}"
    assert entry.amount == 3 * rules.points_per_correct_answer


def test_multiple_choice_is_right_only_with_every_correct_choice(bank, resident):
    question = bank[-1]
    assert services.grade(question, correct_ids(question)) is True
    assert services.grade(question, correct_ids(question)[:1]) is False
    assert services.grade(question, [*correct_ids(question), wrong_id(question)]) is False


def test_a_forged_answer_to_a_question_outside_todays_set_is_refused(bank, resident):
    attempt = services.daily_quiz_for(user=resident)
    outsider = next(q for q in bank if q.pk not in attempt.question_ids)
    with pytest.raises(services.QuizRefused) as exc:
        services.answer_submit(
            attempt=attempt, question_id=outsider.pk, choice_ids=correct_ids(outsider)
        )
    assert exc.value.reason == "not_in_quiz"
    assert not AttemptAnswer.objects.exists()


def test_choices_of_another_question_are_refused(bank, resident):
    attempt = services.daily_quiz_for(user=resident)
    first = attempt.question_ids[0]
    outsider = next(q for q in bank if q.pk not in attempt.question_ids)
    with pytest.raises(services.QuizRefused) as exc:
        services.answer_submit(attempt=attempt, question_id=first, choice_ids=correct_ids(outsider))
    assert exc.value.reason == "invalid_choice"
    assert not AttemptAnswer.objects.exists()


def test_answering_a_question_twice_keeps_the_first_answer(bank, resident):
    attempt = services.daily_quiz_for(user=resident)
    question = next(q for q in bank if q.pk == attempt.question_ids[0])
    services.answer_submit(
        attempt=attempt, question_id=question.pk, choice_ids=[wrong_id(question)]
    )
    with pytest.raises(services.QuizRefused) as exc:
        services.answer_submit(
            attempt=attempt, question_id=question.pk, choice_ids=correct_ids(question)
        )
    assert exc.value.reason == "answered"
    assert AttemptAnswer.objects.get().is_correct is False


def test_replaying_a_finished_quiz_changes_nothing(bank, resident):
    attempt = answer_all(services.daily_quiz_for(user=resident), right=5)
    balance = services.balance_of(resident)
    question = next(q for q in bank if q.pk == attempt.question_ids[0])
    with pytest.raises(services.QuizRefused) as exc:
        services.answer_submit(
            attempt=attempt, question_id=question.pk, choice_ids=correct_ids(question)
        )
    assert exc.value.reason == "finished"
    assert services.balance_of(resident) == balance
    assert AttemptAnswer.objects.count() == 5


def test_yesterdays_unfinished_daily_quiz_can_no_longer_be_answered(bank, resident):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    attempt = services.daily_quiz_for(user=resident, day=yesterday)
    with pytest.raises(services.QuizRefused) as exc:
        services.answer_submit(
            attempt=attempt,
            question_id=attempt.question_ids[0],
            choice_ids=correct_ids(next(q for q in bank if q.pk == attempt.question_ids[0])),
        )
    assert exc.value.reason == "expired"


def test_a_forged_post_shows_a_message_and_changes_nothing(client, bank, resident):
    client.force_login(resident)
    attempt = services.daily_quiz_for(user=resident)
    outsider = next(q for q in bank if q.pk not in attempt.question_ids)
    url = reverse("learning:attempt", args=[attempt.pk])
    response = client.post(
        url, {"question": outsider.pk, "choice": correct_ids(outsider)}, follow=True
    )
    assert response.status_code == 200
    assert any(text in response.content.decode() for text in REFUSED["not_in_quiz"])
    assert not AttemptAnswer.objects.exists()
    for junk in ({"question": "x", "choice": "y"}, {"question": attempt.question_ids[0]}):
        assert client.post(url, junk).status_code == 302
    assert not AttemptAnswer.objects.exists()


def test_the_explanation_and_source_follow_each_answer(client, bank, resident):
    client.force_login(resident)
    attempt = services.daily_quiz_for(user=resident)
    question = next(q for q in bank if q.pk == attempt.question_ids[0])
    url = reverse("learning:attempt", args=[attempt.pk])
    response = client.post(
        url, {"question": question.pk, "choice": [wrong_id(question)]}, follow=True
    )
    html = response.content.decode()
    assert 'data-testid="quiz-feedback"' in html
    assert question.explanation in html
    assert question.source_title in html
    assert 'data-testid="quiz-form"' in html  # the next question


def test_another_residents_quiz_is_not_found(client, bank, resident, other_resident):
    attempt = services.daily_quiz_for(user=resident)
    client.force_login(other_resident)
    url = reverse("learning:attempt", args=[attempt.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"question": attempt.question_ids[0], "choice": "1"}).status_code == 404


def test_a_topic_quiz_uses_only_that_topic_and_gives_no_points(client, bank, resident):
    client.force_login(resident)
    response = client.post(reverse("learning:topic_start", args=["water"]))
    attempt = QuizAttempt.objects.get(user=resident)
    assert response["Location"] == reverse("learning:attempt", args=[attempt.pk])
    assert attempt.kind == QuizAttempt.Kind.TOPIC
    assert {q.topic.slug for q in _questions(attempt)} == {"water"}
    answer_all(attempt, right=len(attempt.question_ids))
    assert services.balance_of(resident) == 0


def test_an_anonymous_visitor_can_try_a_quiz_without_anything_stored(client, bank):
    response = client.get(reverse("learning:daily"))
    assert response["Location"] == reverse("learning:try")
    state = client.session["learning_try"]
    question = next(q for q in bank if q.pk == state["questions"][0])
    response = client.post(
        reverse("learning:try"),
        {"question": question.pk, "choice": correct_ids(question)},
        follow=True,
    )
    html = response.content.decode()
    assert question.explanation in html
    assert 'data-testid="trial-note"' in html
    assert client.session["learning_try"]["answers"][str(question.pk)]["correct"] is True
    assert not QuizAttempt.objects.exists()
    assert not AttemptAnswer.objects.exists()
    assert not LedgerEntry.objects.exists()
    outsider = next(q for q in bank if q.pk not in state["questions"])
    client.post(reverse("learning:try"), {"question": outsider.pk, "choice": correct_ids(outsider)})
    assert str(outsider.pk) not in client.session["learning_try"]["answers"]


def test_the_quiz_question_is_an_accessible_fieldset(client, bank, resident):
    client.force_login(resident)
    attempt = services.daily_quiz_for(user=resident)
    html = client.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
    assert "<fieldset" in html and "<legend>" in html
    assert 'type="radio"' in html or 'type="checkbox"' in html


def test_the_daily_quiz_and_its_try_out_do_not_loop_for_a_client_without_cookies(bank):
    """A client that keeps no cookies gets the trial quiz after at most one redirect."""
    from django.test import Client

    for start in (reverse("learning:daily"), reverse("learning:try")):
        path, hops = start, 0
        while True:
            response = Client().get(path)  # a fresh client per request: no cookie survives
            if response.status_code != 302:
                break
            path, hops = response["Location"], hops + 1
            assert hops <= 2, f"redirect loop from {start}"
        assert response.status_code == 200
        assert 'data-testid="trial-note"' in response.content.decode()


def test_an_answer_without_the_session_says_that_cookies_are_needed(client, bank):
    response = client.post(reverse("learning:try"), {"question": bank[0].pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("learning:index")
    assert "cookie" in response.content.decode().lower()
