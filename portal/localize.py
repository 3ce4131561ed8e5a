"""English names for data authored in Chinese: the one helper every page and template uses.

The interface is translated through the message catalogues; data (section pages, categories,
indicators, projects) is authored in Chinese and may carry an English name in a ``<field>_en``
column. ``localized_name(obj)`` returns that English name under ``/en/`` when it is filled and
the Chinese name otherwise, so an English page never shows a half-translated label. Templates use
the ``localized_name`` filter (``portal_tags``); pages use ``EnglishTitleMixin``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


def english_wanted() -> bool:
    return (get_language() or "").lower().startswith("en")


def localized_name(obj, field: str = "name") -> str:
    """``obj.<field>_en`` under English when filled, else ``obj.<field>`` ("" for None)."""
    if obj is None:
        return ""
    if isinstance(obj, dict):  # a cached row (e.g. the catalogue's facets)
        english = obj.get(f"{field}_en") if english_wanted() else None
        return str(english or obj.get(field) or "")
    if english_wanted():
        english = getattr(obj, f"{field}_en", None)
        if english is None and field == "title" and hasattr(obj, "specific_deferred"):
            # A generic Page: the English title lives on the specific page model.
            english = getattr(obj.specific_deferred, "title_en", None)
        if english:
            return english
    value = getattr(obj, field, "")
    return "" if value is None else str(value)


class EnglishTitleMixin(models.Model):
    """An English title for a page authored in Chinese (shown under /en/ in menus and headings)."""

    title_en = models.CharField(
        _("English title"),
        max_length=255,
        blank=True,
        help_text=_(
            "Shown instead of the title on the English site. Leave empty to show the title."
        ),
    )

    english_panels = [FieldPanel("title_en")]

    class Meta:
        abstract = True

    @property
    def localized_title(self) -> str:
        return localized_name(self, "title")


def english_name_field(max_length: int, **kwargs) -> models.CharField:
    """The ``name_en`` column of a reference table (blank: the Chinese name is shown)."""
    return models.CharField(
        _("English name"),
        max_length=max_length,
        blank=True,
        help_text=_("Shown on the English site. Leave empty to show the Chinese name."),
        **kwargs,
    )
