"""Open311, mounted at /open311/ outside the language prefix: the discovery document and
GeoReport v2 at /open311/v2/. Anything else under /open311/ (an unknown path or format such as
``requests.csv``) gets a GeoReport error list, not an HTML page."""

from django.urls import path, re_path

from portal.tipoffs import open311

app_name = "open311"

urlpatterns = [
    re_path(r"^discovery\.(?P<fmt>json|xml)$", open311.discovery, name="discovery"),
    path("v2/openapi.json", open311.openapi, name="openapi"),
    re_path(r"^v2/services\.(?P<fmt>json|xml)$", open311.services, name="services"),
    re_path(
        r"^v2/services/(?P<code>[-\w]+)\.(?P<fmt>json|xml)$",
        open311.service_definition,
        name="service",
    ),
    re_path(r"^v2/requests\.(?P<fmt>json|xml)$", open311.requests_view, name="requests"),
    re_path(
        r"^v2/requests/(?P<pk>\d+)\.(?P<fmt>json|xml)$", open311.request_detail, name="request"
    ),
    re_path(
        r"^v2/tokens/(?P<token>[-0-9a-f]+)\.(?P<fmt>json|xml)$", open311.token_view, name="token"
    ),
    re_path(r"^(?P<rest>.*)$", open311.not_found, name="not_found"),
]
