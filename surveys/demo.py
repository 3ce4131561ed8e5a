"""Demo survey: the 2025 satisfaction and participation survey with ~2,000 synthetic responses.

The synthetic sample is deliberately unlike the population (too many 东华 and 炳草岗 residents,
too many over-60s, more women), and satisfaction and participation differ by age and place, so
weighting to census margins visibly changes the rates. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.models import Subdistrict
from surveys.models import (
    AgeGroup,
    Answer,
    Channel,
    Choice,
    MatrixRow,
    Question,
    QuotaCell,
    Response,
    ScoringDefinition,
    Sex,
    Survey,
    SurveyIndexPage,
    SurveyPage,
)

SLUG = "eco-2025"
TITLE = "2025年东区生态文明建设公众满意度与参与度调查"
N_RESPONSES = 2000

SATISFACTION_SCALE = [
    ("1", "非常满意", 100, True),
    ("2", "满意", 80, True),
    ("3", "基本满意", 60, True),
    ("4", "不太满意", 40, True),
    ("5", "不满意", 20, True),
    ("9", "说不清", None, False),
]
PARTICIPATION_SCALE = [
    ("1", "经常参与", None, True),
    ("2", "偶尔参与", None, True),
    ("3", "没有参与", None, True),
    ("9", "不清楚", None, False),
]
SATISFACTION_ROWS = [
    ("1", "空气质量"),
    ("2", "河流和饮用水水质"),
    ("3", "城市绿化和公园建设"),
    ("4", "生活垃圾分类和清运"),
    ("5", "噪声控制"),
    ("6", "工业污染治理"),
    ("7", "生态环境信息公开"),
    ("8", "环境投诉举报的处理"),
]
PARTICIPATION_ROWS = [
    ("1", "生活垃圾分类投放"),
    ("2", "绿色出行（步行、骑行、公共交通）"),
    ("3", "节约用水、节约用电"),
    ("4", "生态环保志愿服务"),
    ("5", "生态环保宣传教育活动"),
    ("6", "义务植树、绿化养护"),
    ("7", "举报环境污染或破坏生态的行为"),
]

# (code, kind, page, text, help, required, choices, rows, extra)
QUESTIONS = [
    (
        "Q1",
        Question.Kind.LIKERT,
        1,
        "总体来说，您对东区生态文明建设工作的满意程度如何？",
        "请根据您的切身感受回答。",
        True,
        SATISFACTION_SCALE,
        [],
        {},
    ),
    (
        "Q2",
        Question.Kind.MATRIX,
        1,
        "您对东区以下各方面生态环境工作的满意程度如何？",
        "每一行选择一项。",
        True,
        SATISFACTION_SCALE,
        SATISFACTION_ROWS,
        {},
    ),
    (
        "Q3",
        Question.Kind.MATRIX,
        2,
        "过去12个月，您参与过以下生态环保活动吗？",
        "每一行选择一项。",
        True,
        PARTICIPATION_SCALE,
        PARTICIPATION_ROWS,
        {},
    ),
    (
        "Q4",
        Question.Kind.SINGLE,
        2,
        "您知道环境污染问题的举报途径吗（如12345热线、12369环保热线、本平台在线举报）？",
        "",
        True,
        [("1", "知道", None, True), ("2", "不知道", None, True)],
        [],
        {},
    ),
    (
        "Q5",
        Question.Kind.SINGLE,
        3,
        "您是否听说过东区正在创建“国家生态文明建设示范区”？",
        "",
        True,
        [
            ("1", "听说过，并且比较了解", None, True),
            ("2", "听说过，但不太了解", None, True),
            ("3", "没有听说过", None, True),
        ],
        [],
        {},
    ),
    (
        "Q6",
        Question.Kind.LIKERT,
        3,
        "您对环境投诉举报的受理速度和反馈情况是否满意？",
        "仅请知道举报途径的居民回答。",
        True,
        SATISFACTION_SCALE,
        [],
        {"condition_question_code": "Q4", "condition_choice_codes": "1"},
    ),
    (
        "Q7",
        Question.Kind.MULTIPLE,
        3,
        "您主要通过哪些渠道了解东区生态文明建设的信息？（可多选）",
        "",
        True,
        [
            ("1", "电视、广播", None, True),
            ("2", "报纸、期刊", None, True),
            ("3", "政府网站或本平台", None, True),
            ("4", "微信公众号、短视频等新媒体", None, True),
            ("5", "社区宣传栏、宣传活动", None, True),
            ("6", "其他渠道", None, True),
            ("9", "没有关注过", None, False),
        ],
        [],
        {},
    ),
    (
        "Q8",
        Question.Kind.SINGLE,
        3,
        "与三年前相比，您觉得东区的生态环境质量有什么变化？",
        "",
        True,
        [
            ("1", "明显变好", None, True),
            ("2", "有所变好", None, True),
            ("3", "没有变化", None, True),
            ("4", "有所变差", None, True),
            ("5", "明显变差", None, True),
            ("9", "说不清", None, False),
        ],
        [],
        {},
    ),
    (
        "Q9",
        Question.Kind.NUMBER,
        4,
        "过去12个月，您大约参加过几次生态环保志愿活动？",
        "没有参加请填0。",
        False,
        [],
        [],
        {"min_value": Decimal("0"), "max_value": Decimal("365")},
    ),
    (
        "Q10",
        Question.Kind.LONG_TEXT,
        4,
        "您对东区生态文明建设还有哪些意见和建议？",
        "选填。请不要填写姓名、电话等个人信息。",
        False,
        [],
        [],
        {"max_length": 1000},
    ),
]

SCORING = [
    (
        "satisfaction",
        "公众对生态文明建设的满意度（总体）",
        ScoringDefinition.Kind.SATISFACTION,
        ScoringDefinition.Method.TOP_BOX,
        "Q1",
        "1;2;3",
        True,
        1,
        Decimal("85"),
    ),
    (
        "satisfaction_items",
        "分项满意度（多数分项满意）",
        ScoringDefinition.Kind.SATISFACTION,
        ScoringDefinition.Method.TOP_BOX,
        "Q2",
        "1;2;3",
        True,
        1,
        None,
    ),
    (
        "satisfaction_score",
        "满意度得分（百分制均值）",
        ScoringDefinition.Kind.SATISFACTION,
        ScoringDefinition.Method.SCORE_MEAN,
        "Q1",
        "",
        True,
        1,
        Decimal("80"),
    ),
    (
        "participation",
        "公众对生态文明建设的参与度（至少参与3项）",
        ScoringDefinition.Kind.PARTICIPATION,
        ScoringDefinition.Method.AT_LEAST_K,
        "Q3",
        "1;2",
        True,
        3,
        Decimal("85"),
    ),
]

# Deliberately unbalanced sample (population shares are roughly even across the 街道 and the
# age groups 18-29/30-44/45-59/60+ are about 20/28/28/24 %).
SUBDISTRICT_MIX = {
    "donghua": 0.30,
    "bingcaogang": 0.27,
    "nongnongping": 0.12,
    "dadukou": 0.12,
    "guaziping": 0.11,
    "yinjiang": 0.08,
}
AGE_MIX = {"18-29": 0.09, "30-44": 0.17, "45-59": 0.30, "60+": 0.44}
FEMALE_SHARE = 0.57
# How much each group leans towards satisfaction / participation (logit-ish shifts).
AGE_SHIFT = {"18-29": -0.55, "30-44": -0.3, "45-59": 0.05, "60+": 0.45}
PLACE_SHIFT = {
    "donghua": 0.25,
    "bingcaogang": 0.2,
    "nongnongping": -0.2,
    "dadukou": -0.1,
    "guaziping": 0.0,
    "yinjiang": -0.45,
}


def _pick(rng: random.Random, mix: dict[str, float]) -> str:
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def ensure_survey() -> Survey:
    survey = Survey.objects.filter(slug=SLUG).first()
    if survey is not None:
        return survey
    tz = timezone.get_current_timezone()
    survey = Survey(
        title=TITLE,
        slug=SLUG,
        purpose=(
            "为客观了解居民对东区生态文明建设工作的满意程度和参与程度（国家生态文明建设示范区"
            "建设指标第34、35项），区生态环境局、区统计局组织开展本次调查。调查对象为在东区居住的"
            "18周岁及以上居民，约需5分钟。您的回答只用于统计分析，不记录姓名、账号、IP地址或设备"
            "信息，依照《中华人民共和国统计法》第二十八条予以保密。"
        ),
        wave="2025",
        year=2025,
        status=Survey.Status.OPEN,
        opens_at=dt.datetime(2025, 10, 8, 9, 0, tzinfo=tz),
        respondent_mode=Survey.Mode.ACCOUNT,
        age_input=Survey.AgeInput.AGE_GROUP,
        quota_policy=Survey.QuotaPolicy.MONITOR,
        thank_you_text="感谢您参与本次调查！调查结果将在“民意调查”栏目和生态环境信息公开专栏发布。",
    )
    survey.save()
    for order, (code, kind, page, text, help_text, required, choices, rows, extra) in enumerate(
        QUESTIONS
    ):
        question = Question.objects.create(
            survey=survey,
            code=code,
            kind=kind,
            page=page,
            text=text,
            help_text=help_text,
            required=required,
            sort_order=order,
            **extra,
        )
        Choice.objects.bulk_create(
            Choice(
                question=question,
                code=c,
                label=label,
                score=score,
                is_substantive=substantive,
                sort_order=i,
            )
            for i, (c, label, score, substantive) in enumerate(choices)
        )
        MatrixRow.objects.bulk_create(
            MatrixRow(question=question, code=c, label=label, sort_order=i)
            for i, (c, label) in enumerate(rows)
        )
    for order, (code, name, kind, method, items, positive, excl, k, target) in enumerate(SCORING):
        ScoringDefinition.objects.create(
            survey=survey,
            code=code,
            name=name,
            kind=kind,
            method=method,
            items=items,
            positive_choice_codes=positive,
            exclude_non_substantive=excl,
            min_count=k,
            target_percent=target,
            sort_order=order,
        )
    subdistricts = {s.code: s for s in Subdistrict.objects.all()}
    order = 0
    for code in SUBDISTRICT_MIX:
        for age in AgeGroup.values:
            QuotaCell.objects.create(
                survey=survey,
                subdistrict=subdistricts[code],
                age_group=age,
                target=60 if age != AgeGroup.AGE_60_PLUS else 70,
                sort_order=order,
            )
            order += 1
    return survey


def _satisfaction_code(rng: random.Random, shift: float) -> str:
    # Base distribution gives ~82 % in 1-3 overall, moved by the group's shift.
    weights = [
        0.18 + 0.06 * shift,
        0.34 + 0.05 * shift,
        0.26,
        0.1 - 0.05 * shift,
        0.05 - 0.03 * shift,
        0.06,
    ]
    weights = [max(w, 0.01) for w in weights]
    return rng.choices(["1", "2", "3", "4", "5", "9"], weights=weights)[0]


def _participation_code(rng: random.Random, shift: float, base: float) -> str:
    p = min(max(base + 0.12 * shift, 0.05), 0.95)
    roll = rng.random()
    if roll < 0.03:
        return "9"
    if roll < 0.03 + p * 0.45:
        return "1"
    if roll < 0.03 + p:
        return "2"
    return "3"


PARTICIPATION_BASE = {"1": 0.85, "2": 0.75, "3": 0.9, "4": 0.3, "5": 0.35, "6": 0.25, "7": 0.12}


def ensure_responses(survey: Survey, n: int = N_RESPONSES) -> int:
    if survey.responses.exists():
        return 0
    rng = random.Random(2025)  # noqa: S311 - synthetic demo data, not security
    questions = {q.code: q for q in survey.questions.all()}
    choices = {
        (c.question.code, c.code): c
        for c in Choice.objects.filter(question__survey=survey).select_related("question")
    }
    rows = {
        (r.question.code, r.code): r
        for r in MatrixRow.objects.filter(question__survey=survey).select_related("question")
    }
    subdistricts = {s.code: s for s in Subdistrict.objects.all()}
    start = dt.date(2025, 10, 8)
    responses, answers = [], []
    for i in range(n):
        place = _pick(rng, SUBDISTRICT_MIX)
        age = _pick(rng, AGE_MIX)
        sex = Sex.FEMALE if rng.random() < FEMALE_SHARE else Sex.MALE
        shift = AGE_SHIFT[age] + PLACE_SHIFT[place] + rng.gauss(0, 0.5)
        roll = rng.random()
        channel = Channel.WEB if roll < 0.6 else (Channel.PAPER if roll < 0.85 else Channel.CATI)
        response = Response(
            survey=survey,
            channel=channel,
            subdistrict=subdistricts[place],
            sex=sex,
            age_group=age,
            submitted_on=start + dt.timedelta(days=min(int(rng.expovariate(1 / 9)), 45)),
            external_id=f"{channel[0].upper()}-{i:05d}" if channel != Channel.WEB else "",
        )
        responses.append(response)

        def add(code, choice_code, row_code=None, response=response):
            answers.append(
                Answer(
                    response=response,
                    question=questions[code],
                    row=rows[(code, row_code)] if row_code else None,
                    choice=choices[(code, choice_code)],
                )
            )

        add("Q1", _satisfaction_code(rng, shift))
        for row_code, _label in SATISFACTION_ROWS:
            add("Q2", _satisfaction_code(rng, shift + rng.gauss(0, 0.3)), row_code)
        for row_code, _label in PARTICIPATION_ROWS:
            add("Q3", _participation_code(rng, shift, PARTICIPATION_BASE[row_code]), row_code)
        knows = "1" if rng.random() < 0.7 + 0.05 * shift else "2"
        add("Q4", knows)
        add("Q5", rng.choices(["1", "2", "3"], weights=[0.35, 0.45, 0.2])[0])
        if knows == "1":
            add("Q6", _satisfaction_code(rng, shift - 0.2))
        channels = rng.sample(["1", "2", "3", "4", "5", "6"], k=rng.randint(1, 3))
        for code in channels:
            add("Q7", code)
        add(
            "Q8",
            rng.choices(["1", "2", "3", "4", "5", "9"], weights=[0.3, 0.4, 0.15, 0.05, 0.02, 0.08])[
                0
            ],
        )
        if rng.random() < 0.6:
            answers.append(
                Answer(
                    response=response,
                    question=questions["Q9"],
                    number=Decimal(rng.choice([0, 0, 1, 2, 3, 5, 12])),
                )
            )
    Response.objects.bulk_create(responses, batch_size=1000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    return len(responses)


def ensure_pages(survey: Survey) -> None:
    from cms.models import HomePage
    from portal.demo import ensure_section

    home = HomePage.objects.first()
    if home is None:
        return
    index = ensure_section(
        home,
        slug="surveys",
        page_class=SurveyIndexPage,
        title="民意调查",
        intro="公众对生态文明建设的满意度和参与度调查（国家生态文明建设示范区建设指标第34、35项）。",
    )
    if not SurveyPage.objects.filter(survey=survey).exists():
        page = SurveyPage(
            title=survey.title,
            slug="eco-2025",
            survey=survey,
            body="<p>" + survey.purpose + "</p>",
        )
        index.add_child(instance=page)
        page.save_revision().publish()


# Illustrative population margins (18+ residents; made-up round numbers, not census data).
MARGINS_LABEL = (
    "示例数据——请替换为官方普查数据（illustrative — replace with official census figures）"
)
DEMO_MARGINS = {
    "subdistrict": {
        "donghua": 52000,
        "bingcaogang": 50000,
        "nongnongping": 44000,
        "dadukou": 46000,
        "guaziping": 48000,
        "yinjiang": 40000,
    },
    "sex": {"male": 143000, "female": 137000},
    "age_group": {"18-29": 56000, "30-44": 78400, "45-59": 78400, "60+": 67200},
}
# Enough answers that every weighting category (six sub-districts, two sexes, four age groups)
# has the 20 respondents the weighting requires (surveys.weighting.DEFAULT_MIN_CATEGORY_N).
MIN_RESPONSES_FOR_RELEASE = 300


def ensure_margins(survey: Survey):
    from surveys.analysis import current_margins
    from surveys.margins import validate_margin_rows
    from surveys.services import margins_store

    existing = current_margins(survey)
    if existing is not None:
        return existing
    rows = [
        (None, variable, category, value)
        for variable, table in DEMO_MARGINS.items()
        for category, value in table.items()
    ]
    return margins_store(
        survey=survey,
        margins=validate_margin_rows(rows),
        label=MARGINS_LABEL,
        source_note="演示数据：请替换为第七次全国人口普查东区18周岁及以上常住人口数据。",
        illustrative=True,
    )


def ensure_release(survey: Survey):
    """Publish v1 once, when the survey has enough responses (later runs add nothing)."""
    from surveys.models import SurveyRelease
    from surveys.releases import release_publish

    if SurveyRelease.objects.filter(survey=survey).exists():
        return None
    if survey.responses.filter(excluded=False).count() < MIN_RESPONSES_FOR_RELEASE:
        return None
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.filter(username="analyst").first()
    return release_publish(survey=survey, actor=analyst)


@transaction.atomic
def seed() -> None:
    survey = ensure_survey()
    if not survey.feeds_indicators:
        Survey.objects.filter(pk=survey.pk).update(feeds_indicators=True)
        survey.feeds_indicators = True
    ensure_responses(survey)
    ensure_pages(survey)
    ensure_margins(survey)
    ensure_release(survey)
