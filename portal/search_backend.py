"""The Wagtail search backend: the database backend, made to find pages by Chinese substrings.

The public ``/search/`` page segments queries itself (``cms.search``). The Wagtail admin's page
search and page chooser call ``autocomplete()`` with the editor's raw text instead, which the
database backend matches only as a word prefix: 文明 would not find 生态文明建设专栏. This backend
segments such a query into the same bigrams the index holds (``portal.search.segment``) and
requires all of them, for page searches only; other models (images, documents, snippets) keep Wagtail's
behaviour because they do not index segmented fields.

Configured in settings as ``WAGTAILSEARCH_BACKENDS["default"]["BACKEND"] = "portal.search_backend"``.
"""

from __future__ import annotations

from functools import cache

from django.db.models import Model, QuerySet
from modelsearch.backends import database
from wagtail.models import Page
from wagtail.search.query import PlainText

from portal.search import segment, tokens


def _model_of(model_or_queryset) -> type[Model] | None:
    if isinstance(model_or_queryset, QuerySet):
        return model_or_queryset.model
    if isinstance(model_or_queryset, type) and issubclass(model_or_queryset, Model):
        return model_or_queryset
    return None


def _segmented(query):
    """The query with its Chinese text segmented, or None when it has none."""
    if isinstance(query, PlainText):
        text = query.query_string
    elif isinstance(query, str):
        text = query
    else:
        return None  # phrases, boolean combinations, MATCH_ALL: Wagtail's own matching
    if not any(not token.isascii() for token in tokens(text)):
        return None
    return PlainText(segment(text), operator="and")


class ChineseAutocompleteMixin:
    def autocomplete(
        self, query, model_or_queryset, fields=None, operator=None, order_by_relevance=True
    ):
        model = _model_of(model_or_queryset)
        segmented = _segmented(query) if model is not None and issubclass(model, Page) else None
        if segmented is not None:
            query, operator = segmented, None
        return super().autocomplete(
            query,
            model_or_queryset,
            fields=fields,
            operator=operator,
            order_by_relevance=order_by_relevance,
        )


@cache
def _with_chinese_autocomplete(backend_class: type) -> type:
    return type(backend_class.__name__, (ChineseAutocompleteMixin, backend_class), {})


def SearchBackend(params):  # the name Wagtail looks up in a backend module
    """The database backend for the current database vendor, with Chinese autocomplete."""
    backend = database.SearchBackend(params)
    backend.__class__ = _with_chinese_autocomplete(type(backend))
    return backend
