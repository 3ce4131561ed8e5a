"""Chinese-aware site search: the public ``/search/`` query, results, highlights and snippets.

How text is segmented and indexed (``segment``, ``tokens``, ``ChineseSearchableMixin``) lives in
the shell, ``portal.search``, shared by every app; this module matches and presents.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BigIntegerField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.query import PlainText

from portal.search import CJK_CHARS, normalize, tokens

#: Longer queries are cut to this many characters (a 10,000-character paste is not a search).
MAX_QUERY_LENGTH = 100
#: At most this many distinct tokens take part in matching.
MAX_QUERY_TOKENS = 32
RESULTS_PER_PAGE = 10
SNIPPET_BEFORE = 40
SNIPPET_LENGTH = 140


@dataclass(frozen=True)
class SearchQuery:
    """A visitor's query after cleaning: what was asked, what is matched."""

    raw: str
    text: str  # normalised and cut to MAX_QUERY_LENGTH
    display: str  # as typed (spaces collapsed), cut to MAX_QUERY_LENGTH, for showing back
    truncated: bool
    parts: tuple[str, ...]  # whitespace-separated parts, for ranking and highlighting
    match_tokens: tuple[str, ...]  # tokens that must all be in the index entry

    @property
    def is_empty(self) -> bool:
        return not self.text

    @classmethod
    def parse(cls, raw: str | None) -> SearchQuery:
        raw = raw or ""
        display = " ".join(raw.split())[:MAX_QUERY_LENGTH].strip()
        text = " ".join(normalize(raw).split())
        truncated = len(text) > MAX_QUERY_LENGTH
        text = text[:MAX_QUERY_LENGTH].strip()
        parts = tuple(dict.fromkeys(p for p in text.split() if tokens(p)))[:8]
        found = tokens(text)
        longer = [t for t in found if not _is_single_cjk(t)]
        # A lone CJK character cannot match bigrams; it is handled by a title lookup instead.
        match = tuple((longer if longer else found)[:MAX_QUERY_TOKENS])
        return cls(
            raw=raw,
            text=text if parts else "",
            display=display if parts else "",
            truncated=truncated,
            parts=parts,
            match_tokens=match,
        )

    @property
    def needs_title_fallback(self) -> bool:
        return bool(self.match_tokens) and all(_is_single_cjk(t) for t in self.match_tokens)


def _is_single_cjk(token: str) -> bool:
    return len(token) == 1 and bool(re.match(rf"[{CJK_CHARS}]", token))


@dataclass(frozen=True)
class SearchHit:
    page: Page  # the specific page
    title_html: SafeString
    snippet_html: SafeString
    date: date | None
    label: str


@dataclass(frozen=True)
class SearchOutcome:
    query: SearchQuery
    page: PaginatorPage | None  # the Paginator page of SearchHit objects
    total: int


def searchable_pages() -> QuerySet:
    """Every page a visitor may find: live and not behind a view restriction."""
    return Page.objects.live().public()


def matching_pages(query: SearchQuery, *, base: QuerySet | None = None) -> QuerySet:
    """Pages matching ``query``, best first: phrase in title, any part in title, in the
    description, then body-only matches; newest first within each tier."""
    base = searchable_pages() if base is None else base
    if query.is_empty:
        return base.none()
    if query.needs_title_fallback:
        matched = base.filter(_all_q("title", query.parts))
    elif connection.vendor == "postgresql":
        matched = base.filter(pk__in=_postgres_matching_ids(query.match_tokens))
    else:
        results = get_search_backend().search(
            PlainText(" ".join(query.match_tokens), operator="and"),
            base,
            order_by_relevance=False,
        )
        if hasattr(results, "get_queryset"):
            ids = results.get_queryset().values("pk")
        else:  # pragma: no cover - backends without a queryset (non-FTS fallback)
            ids = [page.pk for page in results]
        matched = base.filter(pk__in=ids)
    tier = Case(
        When(Q(title__icontains=query.text), then=Value(4)),
        When(_all_q("title", query.parts), then=Value(3)),
        When(_any_q("title", query.parts), then=Value(2)),
        When(_any_q("search_description", query.parts), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return matched.annotate(search_tier=tier).order_by("-search_tier", "-first_published_at", "-pk")


def _postgres_matching_ids(match_tokens) -> QuerySet:
    """Page ids whose index entry body holds every token, answered by the GIN index on the
    body column. (The generic backend query matches ``title || body``, which no index can
    serve.) The segmented title is part of the body column, so nothing is missed."""
    from django.contrib.postgres.search import SearchQuery as PostgresQuery
    from modelsearch.utils import get_descendants_content_types_pks
    from wagtail.search.models import IndexEntry

    config = get_search_backend().config
    tsquery = reduce(
        operator.and_, (PostgresQuery(t, search_type="plain", config=config) for t in match_tokens)
    )
    return (
        IndexEntry.objects.filter(
            content_type_id__in=get_descendants_content_types_pks(Page), body=tsquery
        )
        .annotate(page_id=Cast("object_id", BigIntegerField()))
        .values("page_id")
    )


def _all_q(field: str, parts) -> Q:
    q = Q()
    for part in parts:
        q &= Q(**{f"{field}__icontains": part})
    return q


def _any_q(field: str, parts) -> Q:
    q = Q(pk__in=[])
    for part in parts:
        q |= Q(**{f"{field}__icontains": part})
    return q


def search_site(
    *, query: str | None, page_number: str | int | None = 1, per_page: int = RESULTS_PER_PAGE
) -> SearchOutcome:
    """The site search: one page of highlighted hits for ``query`` over all public pages."""
    parsed = SearchQuery.parse(query)
    if parsed.is_empty:
        return SearchOutcome(query=parsed, page=None, total=0)
    ordered = matching_pages(parsed).values_list("pk", flat=True)
    paginator = Paginator(ordered, per_page)
    result_page = paginator.get_page(page_number)
    ids = list(result_page.object_list)
    pages = Page.objects.filter(pk__in=ids).specific().in_bulk() if ids else {}
    hits = [_hit(pages[pk], parsed) for pk in ids if pk in pages]
    result_page.object_list = hits
    return SearchOutcome(query=parsed, page=result_page, total=paginator.count)


def _hit(page: Page, query: SearchQuery) -> SearchHit:
    body = page.get_search_snippet_text() if hasattr(page, "get_search_snippet_text") else ""
    when = page.get_search_result_date() if hasattr(page, "get_search_result_date") else None
    if when is None and page.first_published_at:
        when = timezone.localdate(page.first_published_at)
    if isinstance(when, datetime):
        when = timezone.localdate(when) if timezone.is_aware(when) else when.date()
    label = getattr(page, "search_result_label", None) or page.specific_class._meta.verbose_name
    return SearchHit(
        page=page,
        title_html=highlight(page.title, query),
        snippet_html=snippet(body or page.search_description or "", query),
        date=when,
        label=str(label),
    )


def _highlight_terms(query: SearchQuery) -> list[str]:
    terms = [*query.parts, *query.match_tokens]
    return sorted(dict.fromkeys(t for t in terms if t), key=len, reverse=True)


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(text: str, query: SearchQuery) -> SafeString:
    """``text`` escaped, with the query's parts (or their tokens) wrapped in <mark>."""
    pattern = _pattern(_highlight_terms(query))
    return _mark(text, pattern, _normalized_positions(text))


def snippet(text: str, query: SearchQuery) -> SafeString:
    """About SNIPPET_LENGTH characters of ``text`` around the first match, highlighted."""
    text = " ".join((text or "").split())
    if not text:
        return mark_safe("")
    norm = _normalized_positions(text)
    pattern = _pattern(_highlight_terms(query))
    start = 0
    # Centre on the first whole part of the query, else on the first token.
    for anchor in (_pattern(list(query.parts)), pattern):
        found = anchor.search(norm[0]) if anchor is not None else None
        if found:
            start = max(0, norm[1][found.start()] - SNIPPET_BEFORE)
            break
    end = min(len(text), start + SNIPPET_LENGTH)
    piece = text[start:end]
    html = _mark(piece, pattern, _normalized_positions(piece))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - _mark escapes every piece


def _normalized_positions(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` character by character, with each character's source index."""
    out, index_map = [], []
    for i, char in enumerate(text):
        n = normalize(char)
        out.append(n)
        index_map.extend([i] * len(n))
    index_map.append(len(text))
    return "".join(out), index_map


def _mark(text: str, pattern: re.Pattern | None, norm: tuple[str, list[int]]) -> SafeString:
    if pattern is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    normalized, positions = norm
    pieces, cursor = [], 0
    for found in pattern.finditer(normalized):
        start, end = positions[found.start()], positions[found.end()]
        if start < cursor or start == end:
            continue
        pieces.append(escape(text[cursor:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    pieces.append(escape(text[cursor:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped
