from django.urls import path

from portal.tipoffs import views

app_name = "tipoffs"

# Routes avoid the slugs a Wagtail section page under /tipoffs/ might use.
urlpatterns = [
    path("", views.index, name="index"),
    path("new", views.new, name="new"),
    path("new/<int:pk>/done", views.submitted, name="submitted"),
    path("new/<int:pk>/follow", views.follow, name="follow"),
    path("track", views.track, name="track"),
    path("track/<int:pk>", views.track_case, name="track_case"),
    path("mine/<int:pk>", views.track_mine, name="track_mine"),
    path("nearby", views.nearby, name="nearby"),
    path("cases", views.cases, name="cases"),
    path("stats", views.stats_view, name="stats"),
    path("photos/<int:pk>", views.photo, name="photo"),
]
