"""``{% privacy_notice "point" %}``: the notice in force at a collection point (its short text,
its version and a link to the full notice), for the form templates."""

from django import template

from portal.privacy import services

register = template.Library()


@register.inclusion_tag("privacy/_notice.html")
def privacy_notice(point: str):
    return {"notice": services.current_notice(point)}
