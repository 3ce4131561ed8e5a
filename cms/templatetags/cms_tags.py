from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """The absolute address of this page without its query string."""
    request = context.get("request")
    if request is None:
        return ""
    page = context.get("page")
    path = request.path
    if page is not None and hasattr(page, "get_url"):
        path = page.get_url(request=request) or path
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag
def column_feed_url(kind: str = "rss", category_slug: str = "") -> str:
    try:
        if category_slug:
            return reverse(f"cms:category_{kind}", kwargs={"category_slug": category_slug})
        return reverse(f"cms:column_{kind}")
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def query_with(context, **params) -> str:
    """The current query string with ``params`` replaced (None or "" removes a key)."""
    request = context["request"]
    query = request.GET.copy()
    for key, value in params.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def page_window(page_obj, size: int = 2):
    """Page numbers around the current one, with None where numbers are skipped."""
    if page_obj is None:
        return []
    current, last = page_obj.number, page_obj.paginator.num_pages
    shown = sorted({1, last, *range(max(1, current - size), min(last, current + size) + 1)})
    out, previous = [], 0
    for number in shown:
        if number - previous > 1:
            out.append(None)
        out.append(number)
        previous = number
    return out


@register.simple_tag
def urlencode_params(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
