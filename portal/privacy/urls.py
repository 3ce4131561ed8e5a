from django.urls import path

from portal.privacy import views

app_name = "privacy"

urlpatterns = [
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/download/", views.download, name="download"),
    path("me/data/profile/", views.profile, name="profile"),
    path("me/data/consents/<slug:point>/withdraw/", views.withdraw, name="withdraw"),
    path("me/data/delete/", views.delete_account, name="delete_account"),
    path("me/data/deleted/", views.account_deleted, name="account_deleted"),
    path("privacy/notices/<slug:point>/", views.notice, name="notice"),
]
