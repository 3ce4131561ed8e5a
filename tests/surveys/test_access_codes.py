"""Survey codes (token-mode surveys): guessing is rate limited, an unknown and a used code get the
same answer, and a code that arrives in a URL is exchanged for the session and dropped from the
address at once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys import services
from surveys.models import Response, Survey
from tests.surveys.builders import build_survey, valid_data

pytestmark = pytest.mark.django_db

STEP_FIELDS = [
    ("subdistrict", "sex", "age_group"),
    ("Q1", "Q2_r1", "Q2_r2"),
    ("Q3", "Q4"),
    ("Q5", "Q6", "Q7", "Q8"),
]


@pytest.fixture
def survey():
    return build_survey(respondent_mode=Survey.Mode.TOKEN)


@pytest.fixture
def codes(survey):
    _batch, tokens = services.token_batch_create(survey=survey, label="样本户", size=3, actor=None)
    return tokens


def code_url(survey, **query):
    url = reverse("surveys:token", kwargs={"slug": survey.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def link_url(survey, code):
    return reverse("surveys:token_link", kwargs={"slug": survey.slug, "code": code})


def step_url(survey, step):
    return reverse("surveys:step", kwargs={"slug": survey.slug, "step": step})


def answer_all(client, survey):
    response = None
    for step, names in enumerate(STEP_FIELDS):
        payload = {k: v for k, v in valid_data().items() if k in names}
        payload["action"] = "next"
        response = client.post(step_url(survey, step), payload)
    return response


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def use_code(survey, code):
    browser = Client()
    browser.post(code_url(survey), {"code": code})
    assert answer_all(browser, survey)["Location"].endswith("/thanks/")


def test_guessing_codes_is_refused_with_429_after_the_limit(survey, codes):
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(20):
        response = guesser.post(code_url(survey), {"code": f"AAAA-BBBB-{i:04d}"})
        assert response.status_code == 400
    refused = guesser.post(code_url(survey), {"code": codes[0]})  # even a right one
    assert refused.status_code == 429
    assert "尝试次数过多" in refused.content.decode()
    assert "surveys:token:" not in str(dict(guesser.session))
    # Links count against the same budget.
    assert guesser.get(link_url(survey, codes[1])).status_code == 429
    assert guesser.get(code_url(survey, code=codes[1])).status_code == 429
    # Another client still gets in.
    assert (
        Client(REMOTE_ADDR="198.51.100.2").post(code_url(survey), {"code": codes[0]}).status_code
        == 302
    )


def test_link_guessing_is_limited_too(survey, settings):
    settings.SURVEYS_RATE_LIMITS = {**settings.SURVEYS_RATE_LIMITS, "code_client": (3, 600)}
    guesser = Client(REMOTE_ADDR="203.0.113.8")
    for i in range(3):
        assert guesser.get(link_url(survey, f"AAAABBBB{i:04d}")).status_code == 302
    assert guesser.get(link_url(survey, "AAAABBBB9999")).status_code == 429


def test_an_unknown_code_and_a_used_code_get_byte_identical_answers(survey, codes):
    use_code(survey, codes[0])
    unknown = Client().post(code_url(survey), {"code": "AAAA-BBBB-CCCC"})
    used = Client().post(code_url(survey), {"code": codes[0]})
    assert unknown.status_code == used.status_code == 400
    assert without_csrf(unknown.content.decode()) == without_csrf(used.content.decode())
    error = re.search(r'id="sv-code-error">([^<]*)<', used.content.decode()).group(1)
    assert "无效或已被使用" in error
    assert "已经使用过" not in used.content.decode()


def test_unknown_and_used_codes_in_links_get_the_same_answer(survey, codes):
    use_code(survey, codes[0])
    answers = []
    for code in ("AAAABBBBCCCC", codes[0].replace("-", "")):
        browser = Client()
        response = browser.get(link_url(survey, code))
        assert response.status_code == 302
        assert response["Location"] == code_url(survey)  # the code is gone from the address
        page = browser.get(response["Location"])
        answers.append(without_csrf(page.content.decode()))
    assert answers[0] == answers[1]
    assert "无效或已被使用" in answers[0]


@pytest.mark.parametrize("in_query", [False, True])
def test_a_code_in_a_link_is_exchanged_for_the_session_and_removed_from_the_url(
    survey, codes, in_query
):
    browser = Client()
    url = code_url(survey, code=codes[1]) if in_query else link_url(survey, codes[1])
    response = browser.get(url)
    assert response.status_code == 302
    location = response["Location"]
    assert location == step_url(survey, 0)
    plain = codes[1].replace("-", "")
    assert codes[1] not in location and plain not in location and "code" not in location
    # The survey then works from the session alone.
    form = browser.get(location)
    assert form.status_code == 200
    assert codes[1] not in form.content.decode()
    assert answer_all(browser, survey)["Location"].endswith("/thanks/")
    assert Response.objects.count() == 1
    # The code is spent: the same link now gets the one refusal.
    again = Client().get(url)
    assert again["Location"] == code_url(survey)


def test_the_code_page_sends_no_referrer(survey):
    response = Client().get(code_url(survey))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
