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
    return {34: indicators.latest_satisfaction, 35: indicators.latest_participation}


@hooks.register("personal_data_providers")
def personal_data_provider():
    from surveys import personal_data

    return personal_data.provider()


@hooks.register("retention_categories")
def retention_categories():
    from surveys import personal_data

    return personal_data.retention_categories()
