"""Public survey routes, under /surveys/s/ so they never collide with the 民意调查 section's pages."""

from django.urls import path

from surveys import release_views, views

app_name = "surveys"

urlpatterns = [
    path("s/<slug:slug>/", views.survey_detail, name="survey"),
    path("s/<slug:slug>/step/<int:step>/", views.survey_step, name="step"),
    path("s/<slug:slug>/all/", views.survey_one_page, name="one_page"),
    path("s/<slug:slug>/resume/", views.survey_resume, name="resume"),
    path("s/<slug:slug>/code/", views.survey_token, name="token"),
    path("s/<slug:slug>/t/<str:code>/", views.survey_token_link, name="token_link"),
    path("s/<slug:slug>/thanks/", views.survey_done, name="done"),
    path("s/<slug:slug>/full/", views.survey_stopped, name="stopped"),
    path("s/<slug:slug>/results/", release_views.survey_results, name="results"),
    path(
        "s/<slug:slug>/results/v<int:version>/methodology/",
        release_views.survey_results_methodology,
        name="results_methodology",
    ),
    path(
        "s/<slug:slug>/results/v<int:version>/results.csv",
        release_views.survey_results_csv,
        name="results_csv",
    ),
]
