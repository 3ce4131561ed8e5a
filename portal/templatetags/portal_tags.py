from urllib.parse import urlencode

from django import template
from django.urls import translate_url
from wagtail.models import Site

from portal.pagecache import content_params

register = template.Library()


@register.simple_tag(takes_context=True)
def main_navigation(context):
    """The home page's live children marked "show in menus", in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    root = site.root_page
    return list(root.get_children().live().in_menu())


@register.simple_tag(takes_context=True)
def site_root(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    return site.root_page if site else None


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code: str) -> str:
    """This page's address in another interface language (/ ↔ /en/), without share parameters.

    Plain links (not a POST form) keep pages free of per-visitor tokens, so they can be cached.
    """
    request = context["request"]
    query = urlencode(content_params(request.GET))
    return translate_url(request.path + (f"?{query}" if query else ""), language_code)


@register.filter
def is_within(page, section) -> bool:
    """True when ``page`` is ``section`` or one of its descendants (for the current nav item)."""
    return bool(page) and bool(section) and page.url_path.startswith(section.url_path)
