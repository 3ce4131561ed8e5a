import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import (
    AbuseSignal,
    Answer,
    Choice,
    Participation,
    QuotaCell,
    Response,
    ResponseDraft,
    Survey,
    SurveyToken,
)
from surveys.questionnaire import load_structure
from tests.factories import UserFactory
from tests.surveys.builders import build_survey, valid_data

pytestmark = pytest.mark.django_db

STEP_FIELDS = [
    ("subdistrict", "sex", "age_group"),
    ("Q1", "Q2_r1", "Q2_r2"),
    ("Q3", "Q4"),
    ("Q5", "Q6", "Q7", "Q8"),
]


def step_url(survey, step):
    return reverse("surveys:step", kwargs={"slug": survey.slug, "step": step})


def post_step(client, survey, step, data=None, action="next", **extra):
    data = data if data is not None else valid_data()
    payload = {k: v for k, v in data.items() if k in STEP_FIELDS[step]}
    payload["action"] = action
    return client.post(step_url(survey, step), payload, **extra)


def answer_all(client, survey, data=None, **extra):
    response = None
    for step in range(4):
        response = post_step(client, survey, step, data, **extra)
        if response.status_code != 302 or "/step/" not in response["Location"]:
            return response
    return response


@pytest.fixture
def survey():
    return build_survey()


@pytest.fixture
def resident():
    return UserFactory(username="alice")


def test_landing_asks_anonymous_visitors_to_sign_in_for_an_account_survey(client, survey):
    page = client.get(reverse("surveys:survey", kwargs={"slug": survey.slug}))
    assert page.status_code == 200
    assert reverse("account_login") in page.content.decode()
    assert client.get(step_url(survey, 0)).status_code == 302


def test_resident_answers_page_by_page_saves_resumes_and_submits(client, survey, resident):
    client.force_login(resident)
    assert post_step(client, survey, 0)["Location"] == step_url(survey, 1)
    assert post_step(client, survey, 1)["Location"] == step_url(survey, 2)
    saved = post_step(client, survey, 2, valid_data(Q4=None), action="save")
    assert saved["Location"] == step_url(survey, 2)
    draft = ResponseDraft.objects.get(user=resident)
    assert draft.page == 2 and draft.data["Q3"] == ["1", "2"]

    other_device = Client()
    other_device.force_login(resident)
    resumed = other_device.get(reverse("surveys:resume", kwargs={"slug": survey.slug}))
    assert resumed["Location"] == step_url(survey, 2)
    page = other_device.get(step_url(survey, 2)).content.decode()
    assert 'value="1" id="id_Q3_0" checked' in page or (
        'id="id_Q3_0"' in page and "checked" in page
    )
    assert post_step(other_device, survey, 2)["Location"] == step_url(survey, 3)
    done = post_step(other_device, survey, 3)
    assert done["Location"] == reverse("surveys:done", kwargs={"slug": survey.slug})
    response = Response.objects.get()
    assert response.channel == "web" and response.subdistrict.code == "donghua"
    assert Answer.objects.filter(response=response).count() == 9
    assert Participation.objects.filter(user=resident, survey=survey).exists()
    assert not ResponseDraft.objects.exists()
    again = other_device.get(step_url(survey, 0))
    assert again["Location"] == reverse("surveys:done", kwargs={"slug": survey.slug})


def test_validation_errors_are_shown_next_to_the_field(client, survey, resident):
    client.force_login(resident)
    post_step(client, survey, 0)
    page = post_step(client, survey, 1, valid_data(Q1=None, Q2_r1="7"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="err-Q1"' in html and 'id="err-Q2_r1"' in html
    assert 'aria-describedby="err-Q1"' in html
    assert not Response.objects.exists()


def test_an_answer_posted_to_a_hidden_question_is_rejected_and_nothing_saved(
    client, survey, resident
):
    client.force_login(resident)
    data = valid_data(Q4="2", Q5="1")
    for step in range(3):
        post_step(client, survey, step, data)
    page = post_step(client, survey, 3, data)
    assert page.status_code == 200
    assert "不适用" in page.content.decode()  # "does not apply"
    assert not Response.objects.exists()


def test_changing_an_earlier_answer_drops_saved_answers_that_no_longer_apply(
    client, survey, resident
):
    client.force_login(resident)
    for step in range(3):
        post_step(client, survey, step)
    post_step(client, survey, 3, action="back")
    post_step(client, survey, 2, valid_data(Q4="2"))
    assert post_step(client, survey, 3, valid_data(Q5=None))["Location"].endswith("/thanks/")
    assert not Answer.objects.filter(question__code="Q5").exists()


@pytest.mark.parametrize(
    ("status", "opens", "closes", "text"),
    [
        (Survey.Status.CLOSED, None, None, "本调查已结束"),
        (Survey.Status.OPEN, 1, None, "本调查尚未开始"),
        (Survey.Status.OPEN, -10, -1, "本调查已结束"),
    ],
)
def test_closed_and_not_yet_open_surveys_explain_themselves_and_refuse_answers(
    client, resident, status, opens, closes, text
):
    now = timezone.now()
    survey = build_survey(
        status=status,
        opens_at=now + dt.timedelta(days=opens) if opens else None,
        closes_at=now + dt.timedelta(days=closes) if closes else None,
    )
    client.force_login(resident)
    landing = client.get(reverse("surveys:survey", kwargs={"slug": survey.slug}))
    assert text in landing.content.decode("utf-8")
    assert post_step(client, survey, 0)["Location"] == reverse(
        "surveys:survey", kwargs={"slug": survey.slug}
    )
    with pytest.raises(services.SubmissionRefused):
        services.response_submit(
            survey=survey,
            structure=load_structure(survey),
            data=valid_data(),
            respondent=services.Respondent(mode="account", user=resident),
        )
    assert not Response.objects.exists()


def test_draft_surveys_are_not_public(client):
    survey = build_survey(status=Survey.Status.DRAFT)
    assert client.get(reverse("surveys:survey", kwargs={"slug": survey.slug})).status_code == 404


def test_token_respondent_answers_once_and_the_token_cannot_be_reused(client):
    survey = build_survey(respondent_mode=Survey.Mode.TOKEN)
    _batch, tokens = services.token_batch_create(survey=survey, label="样本户", size=3, actor=None)
    assert SurveyToken.objects.count() == 3
    assert not SurveyToken.objects.filter(token_hash__in=tokens).exists()  # only hashes stored
    bad = client.post(
        reverse("surveys:token", kwargs={"slug": survey.slug}), {"code": "AAAA-BBBB-CCCC"}
    )
    assert bad.status_code == 400
    ok = client.post(
        reverse("surveys:token", kwargs={"slug": survey.slug}), {"code": tokens[0].lower()}
    )
    assert ok["Location"] == step_url(survey, 0)
    post_step(client, survey, 0)
    post_step(client, survey, 1, action="next")
    post_step(client, survey, 2, action="save")
    assert ResponseDraft.objects.filter(token__isnull=False).count() == 1
    # The household continues on another device with the same code.
    phone = Client()
    resumed = phone.post(
        reverse("surveys:token", kwargs={"slug": survey.slug}), {"code": tokens[0]}
    )
    assert resumed["Location"] == step_url(survey, 2)
    post_step(phone, survey, 2)
    assert post_step(phone, survey, 3)["Location"].endswith("/thanks/")
    assert SurveyToken.objects.filter(used=True).count() == 1
    again = Client().post(
        reverse("surveys:token", kwargs={"slug": survey.slug}), {"code": tokens[0]}
    )
    assert again.status_code == 400 and "无效或已被使用" in again.content.decode()
    # A stale session on the first device is refused too.
    assert post_step(client, survey, 0)["Location"].endswith("/thanks/")
    assert Response.objects.count() == 1


def test_second_submit_with_the_same_token_is_refused_by_the_database(client):
    survey = build_survey(respondent_mode=Survey.Mode.TOKEN)
    _batch, tokens = services.token_batch_create(survey=survey, label="x", size=1, actor=None)
    token = services.token_resolve(survey=survey, raw=tokens[0])
    respondent = services.Respondent(mode="token", token=token)
    structure = load_structure(survey)
    services.response_submit(
        survey=survey, structure=structure, data=valid_data(), respondent=respondent
    )
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(
            survey=survey, structure=structure, data=valid_data(), respondent=respondent
        )
    assert refused.value.reason == "duplicate"
    assert Response.objects.count() == 1


def test_second_submit_by_the_same_user_is_refused_by_the_constraint(resident):
    survey = build_survey()
    structure = load_structure(survey)
    respondent = services.Respondent(mode="account", user=resident)
    services.response_submit(
        survey=survey, structure=structure, data=valid_data(), respondent=respondent
    )
    with pytest.raises(services.SubmissionRefused):
        services.response_submit(
            survey=survey, structure=structure, data=valid_data(), respondent=respondent
        )
    assert Response.objects.count() == 1 and Answer.objects.count() == 9


def test_anonymous_duplicates_are_flagged_not_dropped_and_then_rate_limited():
    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS, anonymous_hourly_limit=3)
    browser = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="UA-1")
    assert answer_all(browser, survey)["Location"].endswith("/thanks/")
    assert answer_all(browser, survey)["Location"].endswith("/thanks/")
    other_browser = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="UA-1")
    assert answer_all(other_browser, survey)["Location"].endswith("/thanks/")
    reasons = sorted(Response.objects.values_list("duplicate_reason", flat=True))
    assert reasons == ["", "same_browser", "same_signal"]
    limited = answer_all(Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="UA-1"), survey)
    assert limited.status_code == 429
    assert Response.objects.count() == 3
    assert AbuseSignal.objects.get().count == 3


def test_answers_are_never_stored_with_an_ip_address_or_user_agent():
    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS)
    answer_all(Client(REMOTE_ADDR="198.51.100.77", HTTP_USER_AGENT="Marker-Agent/9.9"), survey)
    assert Response.objects.count() == 1
    for model in (Response, Answer, Participation):
        names = {f.name.lower() for f in model._meta.get_fields()}
        assert not any(
            n == "ip" or "ip_" in n or "agent" in n or n == "user"
            for n in names
            if model is not Participation
        )
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table name from model meta
            dump = repr(cursor.fetchall())
        assert "198.51.100.77" not in dump and "Marker-Agent" not in dump
    signal = AbuseSignal.objects.get()
    assert "198.51.100" not in signal.signal_hash and len(signal.signal_hash) == 64
    assert not hasattr(AbuseSignal, "response")


def test_respondent_in_a_full_quota_cell_is_thanked_and_stopped(client, resident):
    survey = build_survey(quota_policy=Survey.QuotaPolicy.STOP)
    from portal.models import Subdistrict

    cell = QuotaCell.objects.create(
        survey=survey, subdistrict=Subdistrict.objects.get(code="donghua"), target=1
    )
    structure = load_structure(survey)
    services.response_submit(
        survey=survey,
        structure=structure,
        data=valid_data(),
        respondent=services.Respondent(mode="account", user=UserFactory()),
    )
    client.force_login(resident)
    stopped = post_step(client, survey, 0)
    assert stopped["Location"] == reverse("surveys:stopped", kwargs={"slug": survey.slug})
    assert not ResponseDraft.objects.exists()
    # Someone elsewhere continues; a submit into the full cell is refused at the last step too.
    assert post_step(client, survey, 0, valid_data(subdistrict="yinjiang"))["Location"] == step_url(
        survey, 1
    )
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(
            survey=survey,
            structure=structure,
            data=valid_data(),
            respondent=services.Respondent(mode="account", user=resident),
        )
    assert refused.value.reason == "quota_full"
    cell.target = 5
    cell.save()
    assert Response.objects.count() == 1


def test_monitor_policy_keeps_accepting_respondents_in_a_full_cell(client, resident):
    survey = build_survey(quota_policy=Survey.QuotaPolicy.MONITOR)
    from portal.models import Subdistrict

    QuotaCell.objects.create(
        survey=survey, subdistrict=Subdistrict.objects.get(code="donghua"), target=1
    )
    structure = load_structure(survey)
    services.response_submit(
        survey=survey,
        structure=structure,
        data=valid_data(),
        respondent=services.Respondent(mode="account", user=UserFactory()),
    )
    client.force_login(resident)
    assert post_step(client, survey, 0)["Location"] == step_url(survey, 1)
    services.response_submit(
        survey=survey,
        structure=structure,
        data=valid_data(),
        respondent=services.Respondent(mode="account", user=resident),
    )
    assert Response.objects.filter(survey=survey, subdistrict__code="donghua").count() == 2


def test_query_count_per_submission_does_not_grow_with_the_number_of_choices():
    def submit_queries(survey):
        structure = load_structure(survey)
        user = UserFactory()
        with CaptureQueriesContext(connection) as ctx:
            services.response_submit(
                survey=survey,
                structure=structure,
                data=valid_data(),
                respondent=services.Respondent(mode="account", user=user),
            )
        return len(ctx.captured_queries)

    small = build_survey(slug="small")
    big = build_survey(slug="big")
    for question in big.questions.filter(kind__in=["single", "multiple", "likert", "matrix"]):
        for i in range(20):
            Choice.objects.create(
                question=question, code=f"x{i}", label=f"选项{i}", sort_order=100 + i
            )
    big.save()
    submit_queries(small)  # warm the structure cache of both
    submit_queries(big)
    assert submit_queries(small) == submit_queries(big)


def test_the_one_page_version_submits_everything_at_once_and_shows_all_errors(
    client, survey, resident
):
    client.force_login(resident)
    url = reverse("surveys:one_page", kwargs={"slug": survey.slug})
    page = client.get(url).content.decode()
    assert "Q5" in page and "「知道」" in page
    bad = client.post(url, valid_data(Q1=None, Q4="2", Q5="1"))
    html = bad.content.decode()
    assert bad.status_code == 200 and 'id="err-Q1"' in html and "此题不适用" in html
    assert not Response.objects.exists()
    good = client.post(url, valid_data())
    assert good["Location"] == reverse("surveys:done", kwargs={"slug": survey.slug})
    assert Answer.objects.count() == 9
