from django.urls import path

from enterprises import api

app_name = "enterprises_api"

urlpatterns = [path("monitoring/", api.monitoring, name="monitoring")]
