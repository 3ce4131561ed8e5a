"""The survey state machine (surveys.services.SURVEYS): open, reopen, close, withdraw; closing by
itself once the closing time has passed; the edit form's status field runs through it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal import roles
from portal.transitions import TransitionForbidden, TransitionNotAllowed, transition
from surveys import services
from surveys.models import Question, Survey, SurveyEvent
from tests.factories import UserFactory
from tests.surveys.builders import build_survey

pytestmark = pytest.mark.django_db

EVENTS = {
    "open": SurveyEvent.Kind.OPENED,
    "reopen": SurveyEvent.Kind.OPENED,
    "close": SurveyEvent.Kind.CLOSED,
    "withdraw": SurveyEvent.Kind.WITHDRAWN,
}
TARGETS = {
    "open": Survey.Status.OPEN,
    "reopen": Survey.Status.OPEN,
    "close": Survey.Status.CLOSED,
    "withdraw": Survey.Status.DRAFT,
}


@pytest.fixture
def analyst():
    return UserFactory(username="analyst", roles=[roles.ANALYST])


def test_every_action_has_an_event_and_a_target():
    assert set(services.SURVEYS.sources()) == set(EVENTS) == set(TARGETS)


@pytest.mark.parametrize("state", Survey.Status.values)
@pytest.mark.parametrize("action", sorted(services.SURVEYS.sources()))
def test_each_transition_from_each_state(analyst, action, state):
    survey = build_survey(status=state)
    allowed = state in services.SURVEYS.sources()[action]
    if not allowed:
        with pytest.raises(TransitionNotAllowed):
            transition(services.SURVEYS, survey, action, actor=analyst)
        survey.refresh_from_db()
        assert survey.status == state
        assert not survey.events.exists()
        return
    moved = transition(services.SURVEYS, survey, action, actor=analyst).obj
    assert moved.status == TARGETS[action]
    survey.refresh_from_db()
    assert survey.status == TARGETS[action]
    event = survey.events.get()
    assert (event.kind, event.actor) == (EVENTS[action], analyst)


@pytest.mark.parametrize(
    "role", [None, roles.EDITOR, roles.DEPARTMENT_HANDLER, roles.DISCLOSURE_OFFICER]
)
def test_only_fieldwork_managers_open_and_close_and_a_refusal_writes_nothing(role):
    user = UserFactory(username="someone", roles=[role] if role else [])
    draft = build_survey(slug="draft", status=Survey.Status.DRAFT)
    running = build_survey(slug="running", status=Survey.Status.OPEN)
    with pytest.raises(TransitionForbidden):
        services.survey_open(survey=draft, actor=user)
    with pytest.raises(TransitionForbidden):
        services.survey_close(survey=running, actor=user)
    with pytest.raises(TransitionForbidden):  # only closing is a system step
        services.survey_open(survey=draft, actor=None)
    assert list(Survey.objects.order_by("slug").values_list("status", flat=True)) == [
        Survey.Status.DRAFT,
        Survey.Status.OPEN,
    ]
    assert not SurveyEvent.objects.exists()


def test_a_survey_with_an_incomplete_questionnaire_does_not_open(analyst):
    survey = build_survey(status=Survey.Status.DRAFT)
    Question.objects.filter(survey=survey, code="Q1").first().choices.all().delete()
    with pytest.raises(TransitionNotAllowed) as refused:
        services.survey_open(survey=survey, actor=analyst)
    assert "Q1" in " ".join(refused.value.messages)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.DRAFT and not survey.events.exists()


def test_a_failure_after_the_state_is_written_rolls_back_state_and_event(analyst, monkeypatch):
    survey = build_survey(status=Survey.Status.OPEN)

    def broken_event(ctx, kind):
        SurveyEvent.objects.create(survey=ctx.obj, kind=kind, actor=ctx.actor)
        raise RuntimeError("event store down")

    monkeypatch.setattr(services.SURVEYS, "write_event", broken_event)
    with pytest.raises(RuntimeError):
        services.survey_close(survey=survey, actor=analyst)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    assert not SurveyEvent.objects.exists()


def test_surveys_past_their_closing_time_close_by_themselves_once():
    now = timezone.now()
    due = build_survey(slug="due", closes_at=now - dt.timedelta(minutes=1))
    running = build_survey(slug="running", closes_at=now + dt.timedelta(days=1))
    draft = build_survey(
        slug="draft", status=Survey.Status.DRAFT, closes_at=now - dt.timedelta(days=1)
    )
    call_command("survey_close_due")
    call_command("survey_close_due")
    statuses = dict(Survey.objects.values_list("slug", "status"))
    assert statuses == {
        "due": Survey.Status.CLOSED,
        "running": Survey.Status.OPEN,
        "draft": Survey.Status.DRAFT,
    }
    event = SurveyEvent.objects.get()
    assert (event.survey, event.kind, event.actor) == (due, SurveyEvent.Kind.CLOSED, None)
    assert not running.events.exists() and not draft.events.exists()


def _edit_form_data(survey, status):
    from tests.surveys.test_admin import survey_form_data

    data = survey_form_data(slug=survey.slug, status=status)
    question = survey.questions.get()
    scoring = survey.scoring_definitions.get()
    data.update(
        {
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": str(question.pk),
            "questions-0-choices-INITIAL_FORMS": str(question.choices.count()),
            "scoring_definitions-INITIAL_FORMS": "1",
            "scoring_definitions-0-id": str(scoring.pk),
        }
    )
    for i, choice in enumerate(question.choices.order_by("sort_order")):
        data[f"questions-0-choices-{i}-id"] = str(choice.pk)
    return data


def test_the_edit_form_changes_the_status_only_through_the_machine(client, analyst):
    from tests.surveys.test_admin import survey_form_data

    client.force_login(analyst)
    build_survey(slug="other")  # the sub-districts
    created = client.post(reverse("wagtailsnippets_surveys_survey:add"), survey_form_data())
    assert created.status_code == 302
    survey = Survey.objects.get(slug="new-survey")
    assert survey.status == Survey.Status.DRAFT and not survey.events.exists()
    edit = reverse("wagtailsnippets_surveys_survey:edit", args=[survey.pk])
    client.post(edit, _edit_form_data(survey, "open"))
    client.post(edit, _edit_form_data(survey, "closed"))
    # closed -> draft is no transition: the rest is saved, the status is kept, the editor is told.
    response = client.post(edit, _edit_form_data(survey, "draft"), follow=True)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "已保存，但状态未改变：调查不能从“已结束”变为“草稿”。" in shown, shown
    kinds = list(survey.events.order_by("created_at", "pk").values_list("kind", "actor"))
    assert kinds == [
        (SurveyEvent.Kind.OPENED, analyst.pk),
        (SurveyEvent.Kind.CLOSED, analyst.pk),
    ]
