"""Public views of the cms app that are not Wagtail pages: search, robots.txt, the HTML site map
and 纠错 (report an error on a page)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Site

from cms.forms import PageErrorReportForm, page_path
from cms.search import MAX_QUERY_LENGTH, search_site
from cms.services import error_report_submit
from portal import ratelimit
from portal.integration import site_map_groups
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
        lines.append("Disallow: /admin/")
        # Sign-in, the personal area and search results, under every language prefix
        # (the default language at /, the others under /<code>/, e.g. /en/).
        prefixes = [""] + [
            f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
        ]
        for prefix in prefixes:
            lines += [f"Disallow: {prefix}/accounts/", f"Disallow: {prefix}/me/"]
            lines.append(f"Disallow: {prefix}/search/")
        lines.append("Allow: /")
    else:
        lines.append("Disallow: /")
    lines += ["", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _site_map_tree(root, *, depth: int = 3):
    """The live public pages below ``root`` down to ``depth`` levels, as nested (page, children)."""
    pages = list(
        root.get_descendants()
        .live()
        .public()
        .filter(depth__lte=root.depth + depth)
        .specific()
        .order_by("path")
    )
    children: dict[str, list] = {}
    for page in pages:
        children.setdefault(page.path[: -page.steplen], []).append(page)

    def build(path):
        return [(page, build(page.path)) for page in children.get(path, [])]

    return build(root.path)


@require_GET
def site_map(request):
    """网站地图: every section and page of the page tree and the apps' own public routes."""
    site = Site.find_for_request(request)
    root = site.root_page.specific if site else None
    response = TemplateResponse(
        request,
        "cms/site_map.html",
        {
            "root": root,
            "tree": _site_map_tree(root) if root else [],
            "groups": site_map_groups(request),
        },
    )
    patch_cache_control(response, private=True, max_age=0 if request.user.is_authenticated else 60)
    return response


def _report_error_limited(request) -> bool:
    """Count this POST; True when the client is over ``CMS_RATE_LIMITS["error_report_client"]``."""
    limit, window = ratelimit.configured("CMS_RATE_LIMITS", "error_report_client")
    return not ratelimit.hit(
        "cms:error_report_client", ratelimit.client_ip(request), limit=limit, window=window
    )


@never_cache
def report_error(request):
    """纠错: report an error on a page to the site administrators (stored, then e-mailed)."""
    host = request.get_host()
    status = 200
    if request.method == "POST":
        form = PageErrorReportForm(request.POST, host=host)
        if _report_error_limited(request):
            form.add_error(
                None,
                _("Too many reports have been sent from your connection. Please try again later."),
            )
            status = 429
        elif form.is_valid():
            error_report_submit(
                page_url=form.cleaned_data["page_url"],
                description=form.cleaned_data["description"],
                contact=form.cleaned_data["contact"],
            )
            messages.success(
                request, _("Thank you. Your report was sent to the site administrators.")
            )
            return HttpResponseRedirect(page_path(form.cleaned_data["page_url"], host=host))
        else:
            status = 400
    else:
        initial = page_path(request.GET.get("page", ""), host=host) or page_path(
            request.headers.get("referer", ""), host=host
        )
        form = PageErrorReportForm(initial={"page_url": initial}, host=host)
    return TemplateResponse(request, "cms/report_error.html", {"form": form}, status=status)
