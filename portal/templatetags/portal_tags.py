from django import template
from django.urls import translate_url
from wagtail.models import Site

from portal.localize import english_wanted
from portal.localize import localized_name as _localized_name

register = template.Library()


@register.simple_tag(takes_context=True)
def main_navigation(context):
    """The home page's live children marked "show in menus", in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    root = site.root_page
    pages = root.get_children().live().in_menu()
    if english_wanted():
        # Their English titles (title_en) live on the specific page models.
        pages = pages.specific()
    return list(pages)


@register.simple_tag(takes_context=True)
def site_root(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    return site.root_page if site else None


@register.simple_tag(takes_context=True)
def url_in_language(context, language_code: str) -> str:
    """This page's address in another interface language (/ ↔ /en/)."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)


@register.filter
def is_within(page, section) -> bool:
    """True when ``page`` is ``section`` or one of its descendants (for the current nav item)."""
    return bool(page) and bool(section) and page.url_path.startswith(section.url_path)


@register.filter
def phone_display(value):
    """A stored (E.164) phone number as people read it: 138 1234 5678 for mainland numbers."""
    from portal.phones import format_phone

    return format_phone(value or "")


@register.filter
def localized_name(obj, field: str = "name") -> str:
    """``obj``'s English name under /en/ when it has one, else its Chinese name (portal.localize)."""
    return _localized_name(obj, field)


@register.simple_tag(takes_context=True)
def section_links(context, section: str):
    """Links other apps add to ``section``'s navigation (``portal_section_links`` hook)."""
    from portal.integration import section_links as links

    return links(section, context.get("request"))
