"""The starter question bank: enough good questions, well formed, loaded idempotently."""

from __future__ import annotations

from collections import Counter

import pytest

from portal.learning.models import Question, Topic
from portal.learning.question_bank import load_data, load_question_bank

TOPICS = {"垃圾分类", "大气", "水", "生物多样性", "低碳生活", "法律法规"}


def test_the_data_file_has_at_least_sixty_well_formed_questions():
    data = load_data()
    questions = data["questions"]
    assert len(questions) >= 60
    assert {t["name"] for t in data["topics"]} == TOPICS
    assert min(Counter(q["topic"] for q in questions).values()) >= 8
    assert len({q["text"] for q in questions}) == len(questions)
    for q in questions:
        assert q["explanation"].strip() and q["source"].strip(), q["text"]
        assert all(0 <= a < len(q["choices"]) for a in q["answer"]), q["text"]
        if q["kind"] == "multiple":
            assert len(q["answer"]) >= 2, q["text"]
        else:
            assert len(q["answer"]) == 1, q["text"]
        if q["kind"] == "true_false":
            assert q["choices"] == ["正确", "错误"]


@pytest.mark.django_db
def test_loading_twice_creates_each_question_once_with_its_answers_not_always_first():
    load_question_bank()
    count = Question.objects.count()
    assert load_question_bank() == (0, 0)
    assert Question.objects.count() == count >= 60
    assert Topic.objects.count() == 6
    first_correct = 0
    for question in Question.objects.prefetch_related("choices"):
        choices = list(question.choices.all())
        correct = [c for c in choices if c.is_correct]
        if question.kind == Question.Kind.MULTIPLE:
            assert len(correct) >= 2
        else:
            assert len(correct) == 1
        first_correct += choices[0].is_correct
        assert question.source_link() or question.source_title
    assert first_correct < count * 0.6
