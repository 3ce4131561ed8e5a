from django.urls import path

from enterprises import lookup, views

app_name = "enterprises"

urlpatterns = [
    path("", views.index, name="index"),
    path("filing/", views.filing_home, name="filing_home"),
    path("filing/<int:pk>/annual/<int:year>/", views.filing_annual, name="filing_annual"),
    path("filing/<int:pk>/temporary/", views.filing_temporary, name="filing_temporary"),
    path("filing/<int:pk>/tokens/", views.filing_token, name="filing_token"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("lookup/", lookup.lookup, name="lookup"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/reports/<int:year>/", views.report, name="report"),
    path("<str:code>/reports/<int:year>/v<int:number>/", views.report, name="report_version"),
    path("<str:code>/monitoring/", views.monitoring, name="monitoring"),
]
