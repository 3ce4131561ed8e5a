from django.urls import path

from portal.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("daily/", views.daily, name="daily"),
    path("topics/<slug:slug>/start/", views.topic_start, name="topic_start"),
    path("quiz/<int:pk>/", views.attempt, name="attempt"),
    path("try/", views.try_quiz, name="try"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("me/", views.my_points, name="me"),
    path("me/redemptions/<int:pk>/", views.redemption, name="redemption"),
    path("me/redemptions/<int:pk>/cancel/", views.redemption_cancel, name="redemption_cancel"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
]
