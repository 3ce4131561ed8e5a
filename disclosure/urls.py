"""Routes of the section, mounted at disclosure/. The DisclosureIndexPage (the catalogue) lives
at the same prefix; DisclosureItemPage.clean() reserves these first segments (RESERVED_SLUGS)."""

from django.urls import path

from disclosure import views

app_name = "disclosure"

urlpatterns = [
    path("indicators/", views.indicator_dashboard, name="indicators"),
    path("indicators/<int:number>/", views.indicator_detail, name="indicator_detail"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<int:number>/", views.project_detail, name="project_detail"),
    path("rate/", views.rate_dashboard, name="rate"),
    path("versions/<int:pk>/", views.item_versions, name="item_versions"),
    path("versions/<int:pk>/diff/", views.item_diff, name="item_diff"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/receipt/", views.request_receipt, name="request_receipt"),
    path("requests/status/", views.request_status, name="request_status"),
    path("requests/mine/<int:pk>/", views.request_mine, name="request_mine"),
    path("annual-report/", views.annual_report_latest, name="annual_report_latest"),
    path("annual-report/<int:year>/", views.annual_report, name="annual_report"),
    path("annual-report/<int:year>.xlsx", views.annual_report_xlsx, name="annual_report_xlsx"),
]
