from urllib.parse import urlencode

from django import template
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.models import Site

from portal import dates
from portal.localize import english_wanted
from portal.localize import localized_name as _localized_name
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


class DataTableNode(template.Node):
    def __init__(self, nodelist, label):
        self.nodelist = nodelist
        self.label = label

    def render(self, context):
        label = self.label.resolve(context) if self.label is not None else ""
        return format_html(
            '<div class="table-scroll" role="region" tabindex="0" aria-label="{}" '
            'data-testid="data-table">{}</div>',
            label,
            mark_safe(self.nodelist.render(context)),  # noqa: S308 - rendered template output
        )


@register.tag("datatable")
def datatable(parser, token):
    """``{% datatable _("Label") %}<table>…</table>{% enddatatable %}``: the one wrapper of every
    public data table. It scrolls sideways inside its own labelled, keyboard-focusable box on a
    phone, with the first column sticky; the rules are in static/css/site.css ("Data tables").
    """
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% datatable %} takes one argument: the table's label")
    nodelist = parser.parse(("enddatatable",))
    parser.delete_first_token()
    return DataTableNode(nodelist, parser.compile_filter(bits[1]))


@register.filter
def nowrap(value):
    """``value`` (a number, a date) in a span that never breaks over lines, for running text."""
    return format_html('<span class="nowrap">{}</span>', value)


@register.filter
def portal_date(value):
    """The portal's one date format (``2026-03-05``, ISO 8601) in a ``<time>`` that never breaks
    over lines; used for tip-offs, disclosure requests and redemptions (docs/architecture.md)."""
    return _time(value, dates.DATE_FORMAT)


@register.filter
def portal_datetime(value):
    """The portal's one date-and-time format (``2026-03-05 14:30``, local time, 24-hour)."""
    return _time(value, dates.DATETIME_FORMAT)


def _time(value, fmt: str):
    if value in (None, ""):
        return ""
    text = dates.format_date(value, fmt)
    iso = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return format_html('<time class="nowrap" datetime="{}">{}</time>', iso, text)


@register.inclusion_tag("portal/includes/error_summary.html")
def error_summary(forms, anchor_prefix: str = "", element_id: str = "error-summary"):
    """The error summary at the top of a long form: every error of ``forms`` (one form or a
    list), each linked to its field. static/js/a11y.js moves the focus to it on load. The
    anchor is the field's id, or ``anchor_prefix`` + the field name (the survey questions)."""
    if forms is None:
        return {"items": []}
    if not isinstance(forms, list | tuple | dict) and not hasattr(forms, "is_bound"):
        forms = list(forms)
    if isinstance(forms, dict):
        forms = list(forms.values())
    if not isinstance(forms, list | tuple):
        forms = [forms]
    items = []
    for form in forms:
        if not getattr(form, "is_bound", False) or not form.errors:
            continue
        items += [{"href": "", "label": "", "message": e} for e in form.non_field_errors()]
        for field in form:
            for message in field.errors:
                if anchor_prefix:
                    href = f"#{anchor_prefix}{field.name}"
                elif field.is_hidden:
                    href = ""
                else:
                    href = f"#{field.id_for_label}"
                items.append({"href": href, "label": field.label, "message": message})
    return {"items": items, "element_id": element_id}
