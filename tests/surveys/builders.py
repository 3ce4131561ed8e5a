"""A small survey with every question type, and valid input for it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from surveys.models import Choice, MatrixRow, Question, ScoringDefinition, Survey
from tests.factories import SubdistrictFactory

SCALE = [
    ("1", "非常满意", 100, True),
    ("2", "满意", 80, True),
    ("3", "基本满意", 60, True),
    ("4", "不满意", 20, True),
    ("9", "说不清", None, False),
]


def make_subdistricts():
    return [
        SubdistrictFactory(code="donghua", name="东华街道"),
        SubdistrictFactory(code="yinjiang", name="银江镇"),
    ]


def build_survey(*, slug="test-survey", **fields) -> Survey:
    make_subdistricts()
    defaults = {
        "title": "测试调查",
        "slug": slug,
        "purpose": "测试目的",
        "wave": "2025",
        "year": 2025,
        "status": Survey.Status.OPEN,
        "opens_at": timezone.now() - dt.timedelta(days=1),
        "respondent_mode": Survey.Mode.ACCOUNT,
    }
    defaults.update(fields)
    survey = Survey.objects.create(**defaults)

    def question(code, kind, page, choices=(), rows=(), **extra):
        q = Question.objects.create(
            survey=survey, code=code, kind=kind, page=page, text=f"{code} 问题", **extra
        )
        for i, (c, label, score, subst) in enumerate(choices):
            Choice.objects.create(
                question=q, code=c, label=label, score=score, is_substantive=subst, sort_order=i
            )
        for i, (c, label) in enumerate(rows):
            MatrixRow.objects.create(question=q, code=c, label=label, sort_order=i)
        return q

    question("Q1", Question.Kind.LIKERT, 1, SCALE)
    question("Q2", Question.Kind.MATRIX, 1, SCALE, rows=[("r1", "空气"), ("r2", "水")])
    question(
        "Q3",
        Question.Kind.MULTIPLE,
        2,
        [
            ("1", "垃圾分类", None, True),
            ("2", "绿色出行", None, True),
            ("3", "植树", None, True),
            ("9", "都没有", None, False),
        ],
    )
    question(
        "Q4", Question.Kind.SINGLE, 2, [("1", "知道", None, True), ("2", "不知道", None, True)]
    )
    question(
        "Q5",
        Question.Kind.SINGLE,
        3,
        [("1", "满意", None, True), ("2", "不满意", None, True)],
        condition_question_code="Q4",
        condition_choice_codes="1",
    )
    question(
        "Q6",
        Question.Kind.NUMBER,
        3,
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
    )
    question("Q7", Question.Kind.SHORT_TEXT, 3, required=False, max_length=10)
    question("Q8", Question.Kind.LONG_TEXT, 3, required=False)
    ScoringDefinition.objects.create(
        survey=survey,
        code="satisfaction",
        name="满意度",
        kind="satisfaction",
        method="top_box",
        items="Q1",
        positive_choice_codes="1;2;3",
    )
    ScoringDefinition.objects.create(
        survey=survey,
        code="participation",
        name="参与度",
        kind="participation",
        method="at_least_k",
        items="Q3",
        positive_choice_codes="1;2;3",
        min_count=2,
    )
    return survey


def valid_data(**overrides) -> dict[str, list[str]]:
    data = {
        "subdistrict": ["donghua"],
        "sex": ["female"],
        "age_group": ["45-59"],
        "Q1": ["2"],
        "Q2_r1": ["1"],
        "Q2_r2": ["9"],
        "Q3": ["1", "2"],
        "Q4": ["1"],
        "Q5": ["1"],
        "Q6": ["3"],
        "Q7": ["好"],
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value if isinstance(value, list) else [value]
    return data
