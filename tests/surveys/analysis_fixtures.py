"""The R reference sample (tests/surveys/fixtures) loaded as a survey in the database.

400 respondents with sub-district, sex, age group, a 1..5 satisfaction answer (Q1; 4 and 5 count
as satisfied) and a 是/否 participation answer (Q2), some answers missing; the margins are the
fixture's counts with the questionnaire's codes. Raking this survey must reproduce the weights,
rates and standard errors R computed for "raking" in reference.json.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from surveys.models import Answer, Choice, Question, Response, ScoringDefinition, Survey
from tests.factories import SubdistrictFactory
from tests.surveys import fixtures

SEX = {"男": "male", "女": "female"}
PARTICIPATION = {"是": "1", "否": "2"}


def subdistrict_codes() -> dict[str, str]:
    names = list(fixtures.margins().values["sub_district"])
    return {name: f"sd{i + 1}" for i, name in enumerate(names)}


def margins_csv() -> str:
    codes = subdistrict_codes()
    lines = ["variable,category,value"]
    for variable, table in fixtures.margins().values.items():
        for category, value in table.items():
            if variable == "sub_district":
                lines.append(f"subdistrict,{codes[category]},{value:g}")
            elif variable == "sex":
                lines.append(f"sex,{SEX[category]},{value:g}")
            elif variable == "age_group":
                lines.append(f"age_group,{category},{value:g}")
    return "\n".join(lines) + "\n"


def reference_survey(*, slug: str = "ref-survey", with_margins: bool = True, **fields) -> Survey:
    codes = subdistrict_codes()
    subdistricts = {name: SubdistrictFactory(code=code, name=name) for name, code in codes.items()}
    defaults = {
        "title": "参考调查",
        "slug": slug,
        "purpose": "R 参考样本",
        "wave": "2025",
        "year": 2025,
        "status": Survey.Status.CLOSED,
        "opens_at": timezone.now() - dt.timedelta(days=30),
        "respondent_mode": Survey.Mode.ACCOUNT,
    }
    defaults.update(fields)
    survey = Survey.objects.create(**defaults)
    q1 = Question.objects.create(survey=survey, code="Q1", kind="likert", page=1, text="满意度")
    q2 = Question.objects.create(survey=survey, code="Q2", kind="single", page=1, text="参与")
    c1 = {
        str(i): Choice.objects.create(question=q1, code=str(i), label=str(i), sort_order=i)
        for i in range(1, 6)
    }
    c2 = {
        code: Choice.objects.create(question=q2, code=code, label=label, sort_order=int(code))
        for label, code in PARTICIPATION.items()
    }
    ScoringDefinition.objects.create(
        survey=survey,
        code="satisfied",
        name="满意率",
        kind="satisfaction",
        method="top_box",
        items="Q1",
        positive_choice_codes="4;5",
        target_percent=85,
        sort_order=0,
    )
    ScoringDefinition.objects.create(
        survey=survey,
        code="participated",
        name="参与率",
        kind="participation",
        method="top_box",
        items="Q2",
        positive_choice_codes="1",
        target_percent=85,
        sort_order=1,
    )
    responses, answers = [], []
    for row in fixtures.responses().itertuples(index=False):
        response = Response(
            survey=survey,
            channel="cati",
            subdistrict=subdistricts[row.sub_district],
            sex=SEX[row.sex],
            age_group=row.age_group,
            submitted_on=dt.date(2025, 10, 8),
            external_id=row.respondent_id,
        )
        responses.append(response)
        if row.q_satisfaction:
            answers.append(Answer(response=response, question=q1, choice=c1[row.q_satisfaction]))
        if row.q_participation:
            answers.append(
                Answer(
                    response=response, question=q2, choice=c2[PARTICIPATION[row.q_participation]]
                )
            )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    if with_margins:
        from surveys.analysis import parse_survey_margins
        from surveys.services import margins_store

        margins_store(
            survey=survey,
            margins=parse_survey_margins(survey, margins_csv()),
            label="参考边际",
        )
    return survey
