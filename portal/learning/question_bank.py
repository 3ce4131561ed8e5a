"""The starter question bank (``data/questions.json``): six topics and 70-odd questions drawn
from the district plan and well-known environmental law and practice, each with its
explanation and source.

``load_question_bank()`` is idempotent: topics are matched by slug and questions by their text,
so running it again adds only new questions and never overwrites an editor's changes. Choices
are stored in a shuffled order (fixed per question) so the correct answer is not always first.
A source given as a column article slug links to that article when it exists, otherwise to its
address under the column.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.db import transaction

from portal.learning.models import Choice, Question, Topic

DATA_FILE = Path(__file__).resolve().parent / "data" / "questions.json"
COLUMN_PREFIX = "/column/"


def load_data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _article(slug: str):
    from cms.models import ColumnArticlePage

    return ColumnArticlePage.objects.filter(slug=slug).first()


@transaction.atomic
def load_question_bank() -> tuple[int, int]:
    """Create the topics and questions that do not exist yet. Returns (topics, questions) added."""
    data = load_data()
    topics = {}
    new_topics = 0
    for order, row in enumerate(data["topics"]):
        topic, created = Topic.objects.get_or_create(
            slug=row["slug"],
            defaults={"name": row["name"], "description": row["description"], "sort_order": order},
        )
        topics[row["slug"]] = topic
        new_topics += created
    new_questions = 0
    for row in data["questions"]:
        question = Question.objects.filter(text=row["text"]).first()
        article = _article(row["article"]) if row.get("article") else None
        if question is not None:
            if article is not None and question.source_page_id is None:
                question.source_page = article
                question.save(update_fields=["source_page"])
            continue
        question = Question.objects.create(
            topic=topics[row["topic"]],
            kind=row["kind"],
            text=row["text"],
            explanation=row["explanation"],
            source_title=row["source"],
            source_page=article,
            source_url=row.get("url")
            or (f"{COLUMN_PREFIX}{row['article']}/" if row.get("article") else ""),
        )
        order = list(range(len(row["choices"])))
        if row["kind"] != Question.Kind.TRUE_FALSE:
            random.Random(row["text"]).shuffle(order)  # noqa: S311 - layout only
        Choice.objects.bulk_create(
            Choice(
                question=question,
                text=row["choices"][index],
                is_correct=index in row["answer"],
                sort_order=position,
            )
            for position, index in enumerate(order)
        )
        new_questions += 1
    return new_topics, new_questions
