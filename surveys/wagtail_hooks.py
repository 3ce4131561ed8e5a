"""Register the survey admin: one menu group (viewsets.py), the analyst's start panel, and the
indicators this app feeds (34 satisfaction and 35 participation, from published releases)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.pages import page_context_hook
from surveys import indicators, views
from surveys.home_panels import AnalystHomePanel
from surveys.models import Survey, SurveyIndexPage, SurveyPage
from surveys.viewsets import survey_viewset_group

register_snippet(survey_viewset_group)
hooks.register(page_context_hook(SurveyIndexPage), views.survey_index_page_context)
hooks.register(page_context_hook(SurveyPage), views.survey_page_context)
hooks.register(page_context_hook(Survey, "preview"), views.survey_preview_context)


@hooks.register("portal_home_panels")
def analyst_home_panel(request):
    return AnalystHomePanel(request)


@hooks.register("indicator_sources")
def survey_indicator_sources():
    """Indicators 34 (satisfaction) and 35 (participation) come from published releases."""
    kinds = indicators.INDICATOR_OF_KIND
    return {
        kinds["satisfaction"]: indicators.latest_satisfaction,
        kinds["participation"]: indicators.latest_participation,
    }
