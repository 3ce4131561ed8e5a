import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from portal import roles
from surveys.models import Question, Response, Survey, SurveyEvent, SurveyToken
from tests.factories import UserFactory
from tests.surveys.builders import build_survey, make_subdistricts

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst():
    return UserFactory(username="analyst", roles=[roles.ANALYST])


@pytest.fixture
def survey():
    return build_survey()


@pytest.mark.parametrize(
    "role", [None, roles.EDITOR, roles.DEPARTMENT_HANDLER, roles.DISCLOSURE_OFFICER]
)
def test_only_analysts_and_administrators_reach_fieldwork_and_raw_data(client, survey, role):
    user = UserFactory(username="bob", roles=[role] if role else [])
    client.force_login(user)
    for url in (
        reverse("surveys_admin:fieldwork", args=[survey.pk]),
        reverse("surveys_admin:tokens", args=[survey.pk]),
        reverse("surveys_admin:import", args=[survey.pk]),
        reverse("surveys_admin:template", args=[survey.pk, "csv"]),
        reverse("wagtailsnippets_surveys_survey:list"),
    ):
        assert client.get(url).status_code in (302, 403), url


@pytest.mark.parametrize("role", [roles.ANALYST, roles.ADMINISTRATOR])
def test_analyst_and_administrator_see_the_fieldwork_monitor(
    client, survey, role, django_assert_max_num_queries
):
    client.force_login(UserFactory(username="carol", roles=[role]))
    client.get(reverse("surveys_admin:index"))
    with django_assert_max_num_queries(40):
        page = client.get(reverse("surveys_admin:index"))
    assert page.status_code == 200 and "测试调查" in page.content.decode()
    detail = client.get(reverse("surveys_admin:fieldwork", args=[survey.pk]))
    assert detail.status_code == 200
    assert "satisfaction" in detail.content.decode()
    # The state is shown translated, never as the raw code.
    state = re.search(r'data-testid="fieldwork-state">([^<]*)<', detail.content.decode()).group(1)
    assert state in ("Open", "进行中")


def test_fieldwork_monitor_query_count_does_not_grow_with_responses(
    client, analyst, survey, django_assert_max_num_queries
):
    from surveys import services
    from surveys.questionnaire import load_structure
    from tests.surveys.builders import valid_data

    client.force_login(analyst)
    url = reverse("surveys_admin:fieldwork", args=[survey.pk])
    structure = load_structure(survey)
    for _ in range(3):
        services.response_submit(
            survey=survey,
            structure=structure,
            data=valid_data(),
            respondent=services.Respondent(mode="account", user=UserFactory()),
        )
    client.get(url)
    with django_assert_max_num_queries(45) as few:
        client.get(url)
    n_small = len(few.captured_queries)
    for _ in range(5):
        services.response_submit(
            survey=survey,
            structure=structure,
            data=valid_data(),
            respondent=services.Respondent(mode="account", user=UserFactory()),
        )
    with django_assert_max_num_queries(n_small):
        client.get(url)


def test_analyst_generates_tokens_as_a_csv_downloaded_once(client, analyst):
    survey = build_survey(respondent_mode=Survey.Mode.TOKEN)
    client.force_login(analyst)
    response = client.post(
        reverse("surveys_admin:tokens", args=[survey.pk]), {"label": "第一批样本户", "size": 5}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["token", "link"] and len(rows) == 6
    assert rows[1][1].endswith(f"/surveys/s/{survey.slug}/t/{rows[1][0]}/")
    assert SurveyToken.objects.filter(survey=survey).count() == 5
    assert SurveyEvent.objects.get().actor == analyst
    link = client.get(rows[1][1].split("testserver")[1])
    assert link["Location"].endswith("/step/0/")


def test_admin_import_lists_problems_and_imports_nothing_then_a_good_file(client, analyst, survey):
    client.force_login(analyst)
    url = reverse("surveys_admin:import", args=[survey.pk])
    header = "respondent_id,channel,subdistrict,sex,age_group,Q1,Q2_r1,Q2_r2,Q3,Q4,Q5"
    bad = SimpleUploadedFile(
        "bad.csv", f"{header}\nP-1,paper,donghua,female,60+,8,1,1,1,1,1\n".encode()
    )
    page = client.post(url, {"file": bad})
    assert page.status_code == 400 and "Q1" in page.content.decode()
    assert not Response.objects.exists()
    good = SimpleUploadedFile(
        "good.csv", f"{header}\nP-1,paper,donghua,female,60+,1,1,1,1,1,1\n".encode()
    )
    assert client.post(url, {"file": good}).status_code == 302
    assert Response.objects.get().external_id == "P-1"
    template = client.get(reverse("surveys_admin:template", args=[survey.pk, "xlsx"]))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_an_oversized_import_file_is_refused_with_a_message(client, analyst, survey, monkeypatch):
    from surveys import admin_views

    monkeypatch.setattr(admin_views, "MAX_IMPORT_BYTES", 1024 * 1024)
    client.force_login(analyst)
    header = "respondent_id,channel,subdistrict,sex,age_group,Q1,Q2_r1,Q2_r2,Q3,Q4,Q5"
    big = SimpleUploadedFile("big.csv", (header + "\n" + "x" * (1024 * 1024 + 1)).encode())
    page = client.post(reverse("surveys_admin:import", args=[survey.pk]), {"file": big})
    body = page.content.decode()
    assert page.status_code == 400
    assert "larger than 1 MB" in body or "大于 1 MB" in body
    assert not Response.objects.exists()


def test_analyst_excludes_a_flagged_duplicate(client, analyst):
    from django.test import Client

    survey = build_survey(respondent_mode=Survey.Mode.ANONYMOUS, slug="anon")
    from tests.surveys.test_answering import answer_all

    browser = Client()
    answer_all(browser, survey)
    answer_all(browser, survey)
    flagged = Response.objects.exclude(duplicate_reason="").get()
    client.force_login(analyst)
    client.post(reverse("surveys_admin:review", args=[survey.pk, flagged.pk]), {"excluded": "1"})
    flagged.refresh_from_db()
    assert flagged.excluded
    assert SurveyEvent.objects.filter(kind="excluded", actor=analyst).exists()


def survey_form_data(*, slug="new-survey", status="draft", choices=None) -> dict:
    """POST data for the questionnaire builder: one Likert question and its scoring."""
    if choices is None:
        choices = [
            {"code": "1", "label": "满意", "score": "100", "is_substantive": "on"},
            {"code": "9", "label": "说不清", "score": ""},
        ]
    return nested_form_data(
        {
            "title": "新调查",
            "slug": slug,
            "purpose": "目的",
            "wave": "2026",
            "year": "2026",
            "status": status,
            "respondent_mode": "account",
            "anonymous_hourly_limit": "3",
            "age_input": "age_group",
            "quota_policy": "monitor",
            "thank_you_text": "",
            "questions": inline_formset(
                [
                    {
                        "code": "Q1",
                        "kind": "likert",
                        "page": "1",
                        "text": "总体满意吗？",
                        "help_text": "",
                        "required": "on",
                        "condition_question_code": "",
                        "condition_choice_codes": "",
                        "choices": inline_formset(choices),
                        "rows": inline_formset([]),
                    }
                ]
            ),
            "quota_cells": inline_formset([]),
            "scoring_definitions": inline_formset(
                [
                    {
                        "code": "satisfaction",
                        "name": "满意度",
                        "kind": "satisfaction",
                        "method": "top_box",
                        "items": "Q1",
                        "positive_choice_codes": "1",
                        "exclude_non_substantive": "on",
                        "min_count": "1",
                        "target_percent": "85",
                    }
                ]
            ),
        }
    )


def test_a_survey_with_structural_problems_cannot_be_opened_from_the_admin(client, analyst):
    make_subdistricts()
    client.force_login(analyst)
    data = survey_form_data(slug="broken", status="open", choices=[])
    response = client.post(reverse("wagtailsnippets_surveys_survey:add"), data, follow=True)
    survey = Survey.objects.get(slug="broken")  # nothing the analyst typed is lost
    assert survey.status == Survey.Status.DRAFT
    shown = [str(m) for m in response.context["messages"]]
    assert any("Q1" in m for m in shown), shown
    # Fixed (a choice added to the saved question) and saved again: now it opens.
    fixed = survey_form_data(slug="broken", status="open")
    question = survey.questions.get()
    scoring = survey.scoring_definitions.get()
    fixed.update(
        {
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": str(question.pk),
            "scoring_definitions-INITIAL_FORMS": "1",
            "scoring_definitions-0-id": str(scoring.pk),
        }
    )
    client.post(reverse("wagtailsnippets_surveys_survey:edit", args=[survey.pk]), fixed)
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN


def test_duplicate_codes_in_the_builder_are_form_errors_and_nothing_is_saved(client, analyst):
    make_subdistricts()
    client.force_login(analyst)
    choices = [
        {"code": "1", "label": "满意", "score": "100", "is_substantive": "on"},
        {"code": "1", "label": "不满意", "score": "0", "is_substantive": "on"},
    ]
    data = survey_form_data(slug="dupes", choices=choices)
    response = client.post(reverse("wagtailsnippets_surveys_survey:add"), data)
    assert response.status_code == 200  # re-rendered, not a crash
    assert not Survey.objects.filter(slug="dupes").exists()
    page = response.content.decode()
    assert "不满意" in page  # what was typed is still in the form
    assert "请修正重复的数据" in page or "Please correct the duplicate data" in page


def test_analyst_builds_a_survey_with_inline_questions_and_choices_in_the_admin(client, analyst):
    make_subdistricts()
    client.force_login(analyst)
    data = survey_form_data()
    response = client.post(reverse("wagtailsnippets_surveys_survey:add"), data)
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    survey = Survey.objects.get(slug="new-survey")
    question = Question.objects.get(survey=survey)
    assert [(c.code, c.is_substantive) for c in question.choices.all()] == [
        ("1", True),
        ("9", False),
    ]
    preview = client.post(
        reverse("wagtailsnippets_surveys_survey:preview_on_edit", args=[survey.pk]), data
    )
    assert preview.status_code == 200
    shown = client.get(reverse("wagtailsnippets_surveys_survey:preview_on_edit", args=[survey.pk]))
    assert "总体满意吗" in shown.content.decode()
