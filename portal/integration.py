"""Cross-app integration points, as Wagtail hooks (never dotted paths, template names or slugs).

An app contributes by registering a function in its own ``wagtail_hooks.py``; the consumer
iterates ``hooks.get_hooks(...)`` and so knows nothing about the apps that feed it.

``portal_me_sections``
    ``fn(request) -> MeSection | None``: a card on the resident's 我的 page (``/me/``) with the
    signed-in user's own items (``MeItem``) and links; each app loads only ``request.user``'s rows.
``indicator_sources``
    ``fn() -> {indicator number: callable}``: indicators whose current value another app
    supplies (the surveys app: 34 satisfaction, 35 participation). Each callable returns None
    (nothing published yet) or a mapping with "value" (Decimal, percent), "period",
    "source_note" and optionally "status".
``indicator_verdicts``
    ``fn(number, value) -> verdict | None``: the one verdict of an indicator value against the
    national indicator value and the plan's 2025 target (the disclosure app answers it, see
    ``disclosure.values.Verdict``); other apps show it with ``portal/includes/verdict.html``.
``portal_site_map``
    ``fn(request) -> SiteMapGroup | None``: an app's own public routes (forms, dashboards, lists
    that are not Wagtail pages) for the HTML site map (网站地图).
    "source_note" and optionally "status" and "source" (a short key; default "survey").
``disclosure_rate_parts``
    ``fn(as_of) -> RatePart | None``: one kind of disclosure obligation's counts for indicator 5
    (生态环境信息公开率) over the latest year with anything due: the government's disclosure plan
    (disclosure app) and the enterprises' disclosures (enterprises app). ``rate_parts()`` gathers
    them; whoever reports indicator 5 pools them (docs/enterprises.md).
``portal_section_links``
    ``fn(section, request) -> [(label, url, active url names)]``: extra links an app adds to
    another app's section navigation (``section`` is "disclosure" or "tipoffs").
``tipoff_form_aids``
    ``fn(request, *, party="", address="") -> TipoffFormAid | None``: help with the unit a
    resident reports (被举报单位). The tip-off form shows each aid under its "unit or factory"
    field: while the resident types, its script asks ``lookup_url`` (``GET ?q=``, JSON below);
    when the form is sent back, and on the staff case page, the aid's ``matches`` for the
    typed name (``party``) and address are rendered on the server. ``party`` and ``address``
    are the case's own text: an aid uses them to match and never stores, logs or echoes them
    elsewhere; it shows public information only. The lookup's JSON is
    ``{"summary": str, "results": [{"card": AidCard as a dict, …}], "more_url": str}`` and
    answers 400 ``{"error": str}`` for a query outside ``min_length``–``max_length``, 429 over
    its rate limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured
from wagtail import hooks

ME_SECTIONS_HOOK = "portal_me_sections"
INDICATOR_SOURCES_HOOK = "indicator_sources"
INDICATOR_VERDICTS_HOOK = "indicator_verdicts"
SITE_MAP_HOOK = "portal_site_map"


@dataclass(frozen=True)
class MeItem:
    """One of my things on a 我的 card: a label (a code, a title), where to open it, and short
    facts (a date, a status) — never anything the card's owner may not see."""

    label: str
    url: str = ""
    meta: Sequence[str] = ()
    status: str = ""


RATE_PARTS_HOOK = "disclosure_rate_parts"
SECTION_LINKS_HOOK = "portal_section_links"
TIPOFF_FORM_AIDS_HOOK = "tipoff_form_aids"


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


def pooled_rate(parts: Sequence[tuple[int, int]]) -> Decimal | None:
    """Σ on time / Σ due over ``(due, on_time)`` parts, each obligation counted once, to four
    places (half up); None when nothing is due."""
    due = sum(p[0] for p in parts)
    if not due:
        return None
    on_time = sum(p[1] for p in parts)
    return (Decimal(on_time) / Decimal(due)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def section_links(section: str, request) -> list[tuple[str, str, tuple[str, ...]]]:
    links: list = []
    for fn in hooks.get_hooks(SECTION_LINKS_HOOK):
        links.extend(fn(section, request) or [])
    return links


@dataclass(frozen=True)
class MeSection:
    """A card on 我的: a heading, my items (newest first), links (label, URL), a text when there
    are no items and a short note; lower ``order`` comes first."""

    title: str
    links: Sequence[tuple[str, str]] = ()
    order: int = 100
    items: Sequence[MeItem] = ()
    empty: str = ""
    note: str = ""
    key: str = ""  # a stable id for tests and anchors ("tipoffs", "requests", …)


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


def indicator_verdict(number: int, value):
    """The verdict of ``value`` for indicator ``number`` from the app that owns the indicators,
    or None (no such app or indicator)."""
    for fn in hooks.get_hooks(INDICATOR_VERDICTS_HOOK):
        verdict = fn(number, value)
        if verdict is not None:
            return verdict
    return None


@dataclass(frozen=True)
class SiteMapGroup:
    """A heading of the site map with an app's public routes (label, URL); low ``order`` first."""

    title: str
    links: Sequence[tuple[str, str]]
    order: int = 100


def site_map_groups(request) -> list[SiteMapGroup]:
    groups = [group for fn in hooks.get_hooks(SITE_MAP_HOOK) if (group := fn(request))]
    return sorted(groups, key=lambda group: group.order)


@dataclass(frozen=True)
class AidLine:
    """One fact of a match: a label ("Latest annual report"), the fact, marks shown as badges
    ("late", "corrected"), links (text, URL) and whether it is a warning (an exceedance)."""

    label: str
    text: str
    marks: Sequence[str] = ()
    links: Sequence[tuple[str, str]] = ()
    warn: bool = False


@dataclass(frozen=True)
class AidCard:
    """One match of a tip-off form aid: a title linking to its public page, short facts
    (``meta``: a code, an industry, a place) and lines. Rendered the same way by the server
    and by the form's script (from the lookup's JSON)."""

    title: str
    url: str
    meta: Sequence[str] = ()
    lines: Sequence[AidLine] = ()

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "url": self.url,
            "meta": list(self.meta),
            "lines": [
                {
                    "label": line.label,
                    "text": line.text,
                    "marks": list(line.marks),
                    "links": [{"text": text, "url": url} for text, url in line.links],
                    "warn": line.warn,
                }
                for line in self.lines
            ],
        }


@dataclass(frozen=True)
class TipoffFormAid:
    """What an app offers next to the tip-off form's "unit or factory" field.

    ``key`` a stable id; ``title`` and ``intro`` head the box; ``lookup_url`` answers ``?q=``
    with JSON (see ``tipoff_form_aids`` above) for queries of ``min_length`` to ``max_length``
    characters; ``none_text`` when nothing matches; ``list_url``/``list_label`` the app's own
    searchable list (with the typed name as its query when there is one). ``searched`` says
    whether a name was looked up on the server (so "nothing matches" is worth saying);
    ``matches`` and ``summary`` are what the name and address found, and ``more_url`` (if any)
    lists further matches.
    """

    key: str
    title: str
    intro: str
    lookup_url: str
    min_length: int
    max_length: int
    none_text: str
    list_url: str
    list_label: str
    searched: bool = False
    matches: Sequence[AidCard] = ()
    summary: str = ""
    more_url: str = ""


def tipoff_form_aids(request, *, party: str = "", address: str = "") -> list[TipoffFormAid]:
    """Every registered aid for the reported unit, with its matches for ``party`` and
    ``address`` (the case's text, used for matching only)."""
    return [
        aid
        for fn in hooks.get_hooks(TIPOFF_FORM_AIDS_HOOK)
        if (aid := fn(request, party=party, address=address))
    ]
