# Routes are added by the feature issue; mounted in portal/urls.py before Wagtail's catch-all.
app_name = "disclosure"

urlpatterns: list = []
