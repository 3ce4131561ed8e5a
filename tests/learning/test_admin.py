"""Staff screens: statistics (charts, tables, XLSX) and the pickup desk; checked on the server."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal.learning import services
from portal.learning.models import Redemption
from tests.learning.conftest import correct_ids, give_points


def refused(response) -> bool:
    """Wagtail turns PermissionDenied into a redirect to the dashboard with a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


@pytest.fixture
def activity(bank, resident, reward):
    from tests.factories import SubdistrictFactory

    sub = SubdistrictFactory(code="donghua", name="东华街道")
    services.account_update(user=resident, nickname="甲", subdistrict=sub, on_leaderboard=False)
    attempt = services.daily_quiz_for(user=resident)
    questions = {q.pk: q for q in bank}
    for pk in attempt.question_ids:
        services.answer_submit(
            attempt=attempt, question_id=pk, choice_ids=correct_ids(questions[pk])
        )
    give_points(resident, 100)
    services.redeem(user=resident, reward_id=reward.pk, nonce="admin-nonce-aaaaaaaaaa")
    return sub


def test_statistics_are_for_editors_analysts_and_administrators_only(
    client, activity, resident, handler, editor, analyst
):
    url = reverse("learning_admin:statistics")
    client.force_login(resident)
    assert client.get(url).status_code in (302, 403)
    client.force_login(handler)
    assert refused(client.get(url))
    assert refused(client.get(url, {"export": "xlsx"}))
    for staff in (editor, analyst):
        client.force_login(staff)
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<svg" in html and "东华街道" in html


def test_statistics_count_takers_scores_and_points_by_subdistrict(activity):
    from django.utils import timezone

    from portal.learning.selectors import statistics

    today = timezone.localdate()
    stats = statistics(date_from=today, date_to=today)
    assert stats["days"] == [(today, 1)]
    assert {t["topic"]: t["score"] for t in stats["topics"]}.keys() <= {"大气", "水"}
    assert all(t["score"] == 100.0 for t in stats["topics"])
    donghua = next(s for s in stats["subdistricts"] if s["name"] == "东华街道")
    quiz_points = 5 * services.current_settings().points_per_correct_answer
    assert donghua == {
        "name": "东华街道",
        "learners": 1,
        "issued": quiz_points + 100,
        "redeemed": 50,
    }


def test_the_xlsx_export_has_the_three_tables(client, activity, analyst):
    client.force_login(analyst)
    response = client.get(reverse("learning_admin:statistics"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 3
    rows = list(workbook.worksheets[2].values)
    assert ("东华街道", 1, 110, 50) in rows or any(r[0] == "东华街道" for r in rows)
    # Written by Wagtail's SpreadsheetExportMixin: days are date cells, counts numbers.
    days = list(workbook.worksheets[0].iter_rows(min_row=2))
    assert days and all(day.is_date and isinstance(n.value, int) for day, n in days)


def test_the_pickup_desk_hands_over_and_cancels(client, activity, editor, analyst, resident):
    redemption = Redemption.objects.get()
    url = reverse("learning_admin:desk_action", args=[redemption.pk])
    client.force_login(analyst)  # statistics only
    assert refused(client.get(reverse("learning_admin:desk")))
    assert refused(client.post(url, {"action": "cancel"}))
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.PENDING
    client.force_login(editor)
    found = client.get(reverse("learning_admin:desk"), {"code": redemption.code.lower()})
    assert services.format_code(redemption.code) in found.content.decode()
    balance = services.balance_of(resident)
    assert client.post(url, {"action": "cancel"})["Location"] == reverse("learning_admin:desk")
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.CANCELLED
    assert services.balance_of(resident) == balance + 50
    client.post(url, {"action": "fulfil"})
    redemption.refresh_from_db()
    assert redemption.state == Redemption.State.CANCELLED


def test_the_question_bank_and_rewards_are_editable_in_the_admin(client, bank, reward, editor):
    client.force_login(editor)
    assert client.get(reverse("wagtailsnippets_learning_question:list")).status_code == 200
    assert (
        client.get(reverse("wagtailsnippets_learning_reward:edit", args=[reward.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("wagtailsnippets_learning_question:edit", args=[bank[0].pk])).status_code
        == 200
    )


def question_post(topic, *, kind, correct):
    data = {
        "topic": topic.pk,
        "kind": kind,
        "text": "新题目：哪一天是环境日？",
        "explanation": "环境保护法第十二条。",
        "source_title": "《中华人民共和国环境保护法》",
        "source_url": "/column/",
        "is_active": "on",
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "2",
        "choices-MAX_NUM_FORMS": "8",
    }
    for i, text in enumerate(["6月5日", "3月12日", "4月22日"]):
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-id"] = ""
        data[f"choices-{i}-DELETE"] = ""
        if i in correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


def test_the_admin_refuses_a_single_choice_question_with_two_correct_answers(client, bank, editor):
    from portal.learning.models import Question, Topic

    client.force_login(editor)
    topic = Topic.objects.get(slug="air")
    url = reverse("wagtailsnippets_learning_question:add")
    before = Question.objects.count()
    response = client.post(url, question_post(topic, kind="single", correct={0, 1}))
    assert response.status_code == 200
    assert Question.objects.count() == before
    response = client.post(url, question_post(topic, kind="single", correct={0}))
    assert response.status_code == 302
    created = Question.objects.get(text="新题目：哪一天是环境日？")
    assert [c.is_correct for c in created.choices.all()] == [True, False, False]


def test_a_source_link_must_be_a_site_path_or_http_address(client, bank, editor):
    from portal.learning.models import Question, Topic

    client.force_login(editor)
    data = question_post(Topic.objects.get(slug="air"), kind="single", correct={0})
    data["source_url"] = "javascript:alert(1)"
    response = client.post(reverse("wagtailsnippets_learning_question:add"), data)
    assert response.status_code == 200
    assert not Question.objects.filter(text=data["text"]).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"date_to": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_to": "9999-12-31", "export": "xlsx"},
    ],
    ids=["year-1", "year-9999", "xlsx-year-9999"],
)
def test_statistics_dates_at_the_ends_of_the_calendar_fall_back_to_the_default_period(
    client, activity, analyst, params
):
    client.force_login(analyst)
    response = client.get("/admin/learning/statistics/", params)
    assert response.status_code == 200
    if "export" not in params:
        page = response.content.decode()
        assert "Choose a date between 2000-01-01 and 2100-12-31" in page or "请选择" in page


def test_the_statistics_list_matches_the_selector_and_filters_by_period(client, activity, analyst):
    import csv
    import datetime as dt

    from django.utils import timezone

    from portal.learning.selectors import statistics, subdistrict_participation

    today = timezone.localdate()
    stats = statistics(date_from=today, date_to=today)
    rows = {
        s.name: {"learners": s.learners, "issued": s.issued, "redeemed": s.redeemed}
        for s in subdistrict_participation(date_from=today, date_to=today)
    }
    for expected in stats["subdistricts"]:
        if expected["name"] is not None:
            name = expected.pop("name")
            assert rows[name] == expected
    client.force_login(analyst)
    url = reverse("learning_admin:statistics")
    page = client.get(url)
    donghua = next(s for s in page.context["object_list"] if s.name == "东华街道")
    assert (donghua.learners, donghua.redeemed) == (1, 50)
    # A period before any activity: the same rows, counted as zero; the summary follows.
    before = (today - dt.timedelta(days=40)).isoformat()
    old = client.get(url, {"date_from": before, "date_to": before})
    donghua = next(s for s in old.context["object_list"] if s.name == "东华街道")
    assert (donghua.learners, donghua.issued, donghua.redeemed) == (0, 0, 0)
    assert old.context["stats"]["learners"] == 0
    results = client.get(reverse("learning_admin:statistics_results"), {"date_to": before})
    assert results.status_code == 200 and "<svg" in results.content.decode()
    # The CSV is the sub-district rows: names of places and counts, never of residents.
    response = client.get(url, {"export": "csv"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(lines[0]) == 4
    assert any(line[0] == "东华街道" and line[1] == "1" for line in lines[1:])
    assert "甲" not in body.decode("utf-8-sig")  # the resident's nickname


def test_the_statistics_results_and_csv_are_refused_like_the_page(client, activity, handler):
    client.force_login(handler)
    assert refused(client.get(reverse("learning_admin:statistics_results")))
    assert refused(client.get(reverse("learning_admin:statistics"), {"export": "csv"}))
