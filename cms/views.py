"""Public views of the cms app that are not Wagtail pages: search, robots.txt."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from cms.search import MAX_QUERY_LENGTH, search_site
from portal.pagecache import anonymous_page


@require_GET
def search(request):
    """Site search over every public page (column articles, plain pages, disclosure items)."""
    outcome = search_site(query=request.GET.get("q"), page_number=request.GET.get("page"))
    response = TemplateResponse(
        request,
        "cms/search.html",
        {
            "outcome": outcome,
            "query": outcome.query,
            "results": outcome.page.object_list if outcome.page else [],
            "page_obj": outcome.page,
            "max_query_length": MAX_QUERY_LENGTH,
        },
    )
    patch_cache_control(response, private=True, max_age=0 if request.user.is_authenticated else 60)
    return response


@require_GET
@anonymous_page(params=())
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("cms:sitemap"))
    lines = ["User-agent: *"]
    if settings.PORTAL_ROBOTS_ALLOW:
        lines += [
            "Disallow: /admin/",
            "Disallow: /accounts/",
            "Disallow: /me/",
            "Disallow: /search/",
            "Disallow: /en/search/",
            "Allow: /",
        ]
    else:
        lines.append("Disallow: /")
    lines += ["", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
