"""Register the survey admin: one menu group (viewsets.py) and the analyst's start panel."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from surveys.home_panels import AnalystHomePanel
from surveys.viewsets import survey_viewset_group

register_snippet(survey_viewset_group)


@hooks.register("portal_home_panels")
def analyst_home_panel(request):
    return AnalystHomePanel(request)
