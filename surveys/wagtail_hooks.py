"""Register the survey admin: one menu group (viewsets.py), the analyst's start panel, and the
indicators this app feeds (34 satisfaction and 35 participation, from published releases)."""

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from portal.integration import MeItem, MeSection
from portal.pages import page_context_hook
from surveys import indicators, selectors, views
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


@hooks.register("portal_me_sections")
def my_surveys_section(request):
    """我的: the surveys I took part in with my account — the date only, never the answers."""
    participations = list(selectors.participations_of(user=request.user)[:20])
    return MeSection(
        key="surveys",
        title=_("Surveys I took part in"),
        items=[
            MeItem(
                label=p.survey.title,
                url=reverse("surveys:survey", args=[p.survey.slug]),
                meta=[
                    _("took part on %(date)s")
                    % {"date": formats.date_format(p.created_on, "Y-m-d")}
                ],
            )
            for p in participations
        ],
        empty=_("You have not answered a survey with your account yet."),
        note=_(
            "Only the date you took part is kept with your account; your answers are never "
            "linked to it (Statistics Law, Art. 28)."
        ),
        order=30,
    )


@hooks.register("personal_data_providers")
def personal_data_provider():
    from surveys import personal_data

    return personal_data.provider()


@hooks.register("retention_categories")
def retention_categories():
    from surveys import personal_data

    return personal_data.retention_categories()
