from decimal import Decimal

from django import template

from disclosure.selectors import indicator_snapshot as _snapshot

register = template.Library()


@register.inclusion_tag("disclosure/includes/indicator_snapshot.html", takes_context=True)
def indicator_snapshot(context, numbers="5,34,35"):
    """Key indicators at a glance: ``{% load disclosure_tags %}{% indicator_snapshot %}``.

    ``numbers`` is a comma-separated list of top-level indicator numbers.
    """
    wanted = tuple(int(n) for n in str(numbers).split(",") if n.strip().isdigit())
    return {"snapshot": _snapshot(wanted), "request": context.get("request")}


@register.filter
def wan(value) -> str:
    """A 万元 amount with thousands separators and no trailing zeros: 213116.75 → 213,116.75."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    text = f"{number:,f}"
    return text
