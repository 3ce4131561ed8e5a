"""Cross-app integration points, as Wagtail hooks (never dotted paths, template names or slugs).

An app contributes by registering a function in its own ``wagtail_hooks.py``; the consumer
iterates ``hooks.get_hooks(...)`` and so knows nothing about the apps that feed it.

``portal_me_sections``
    ``fn(request) -> MeSection | None``: a card on the resident's 我的 page (``/me/``).
``indicator_sources``
    ``fn() -> {indicator number: callable}``: indicators whose current value another app
    supplies (the surveys app: 34 satisfaction, 35 participation). Each callable returns None
    (nothing published yet) or a mapping with "value" (Decimal, percent), "period",
    "source_note" and optionally "status" and "source" (a short key; default "survey").
``disclosure_rate_parts``
    ``fn(as_of) -> RatePart | None``: one kind of disclosure obligation's counts for indicator 5
    (生态环境信息公开率) over the latest year with anything due: the government's disclosure plan
    (disclosure app) and the enterprises' disclosures (enterprises app). ``rate_parts()`` gathers
    them; whoever reports indicator 5 pools them (docs/enterprises.md).
``portal_section_links``
    ``fn(section, request) -> [(label, url, active url names)]``: extra links an app adds to
    another app's section navigation (``section`` is "disclosure" or "tipoffs").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

ME_SECTIONS_HOOK = "portal_me_sections"
INDICATOR_SOURCES_HOOK = "indicator_sources"
RATE_PARTS_HOOK = "disclosure_rate_parts"
SECTION_LINKS_HOOK = "portal_section_links"


@dataclass(frozen=True)
class RatePart:
    """Obligations of one kind that fell due in ``year`` by the as-of date, and those met on time."""

    key: str
    label: str
    year: int
    due: int
    on_time: int


def rate_parts(as_of) -> list[RatePart]:
    return [part for fn in hooks.get_hooks(RATE_PARTS_HOOK) if (part := fn(as_of))]


def section_links(section: str, request) -> list[tuple[str, str, tuple[str, ...]]]:
    links: list = []
    for fn in hooks.get_hooks(SECTION_LINKS_HOOK):
        links.extend(fn(section, request) or [])
    return links


@dataclass(frozen=True)
class MeSection:
    """A card on 我的: a heading and links (label, URL); lower ``order`` comes first."""

    title: str
    links: Sequence[tuple[str, str]]
    order: int = 100


def me_sections(request) -> list[MeSection]:
    sections = [section for fn in hooks.get_hooks(ME_SECTIONS_HOOK) if (section := fn(request))]
    return sorted(sections, key=lambda section: section.order)


def indicator_sources() -> dict[int, Callable[[], object]]:
    """Every registered indicator source by number; two apps claiming one number is an error."""
    sources: dict[int, Callable[[], object]] = {}
    for fn in hooks.get_hooks(INDICATOR_SOURCES_HOOK):
        for number, source in fn().items():
            if number in sources and sources[number] is not source:
                raise ImproperlyConfigured(
                    f"Indicator {number} has two sources registered through the "
                    f"{INDICATOR_SOURCES_HOOK!r} hook."
                )
            sources[int(number)] = source
    return sources
