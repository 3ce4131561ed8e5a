from django.core.management.base import BaseCommand

from portal.learning.question_bank import load_question_bank


class Command(BaseCommand):
    help = (
        "Load the starter quiz topics and questions (portal/learning/data/questions.json). "
        "Idempotent: existing questions (matched by text) are left as editors changed them."
    )

    def handle(self, *args, **options):
        topics, questions = load_question_bank()
        self.stdout.write(self.style.SUCCESS(f"Added {topics} topics and {questions} questions."))
