"""Register the survey admin: one menu group (viewsets.py)."""

from wagtail.snippets.models import register_snippet

from surveys.viewsets import survey_viewset_group

register_snippet(survey_viewset_group)
