from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.generic.base import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from portal import views

handler400 = "portal.views.bad_request"
handler500 = "portal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # Staff sign in through allauth so that two-factor authentication cannot be bypassed.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("open311/", include("portal.tipoffs.open311_urls")),
    path("api/enterprises/v1/", include("enterprises.api_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Public pages: Chinese at /, English under /en/.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("me/", views.me, name="me"),
    path("", include("portal.privacy.urls")),
    path("", include("cms.urls")),
    path("disclosure/", include("disclosure.urls")),
    path("surveys/", include("surveys.urls")),
    path("tipoffs/", include("portal.tipoffs.urls")),
    path("learning/", include("portal.learning.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
