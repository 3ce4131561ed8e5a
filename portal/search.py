"""The Chinese search text pipeline, shared by every app: how text is indexed and matched.

Wagtail's database search backend (SQLite FTS5, PostgreSQL tsvector) splits text on spaces and
punctuation, so a Chinese sentence is one long "word" and the query 生态 never matches 生态文明建设.
We therefore index a *segmented* copy of every searchable page's title and text: each run of CJK
characters becomes its overlapping character bigrams (生态文明建设 → 生态 态文 文明 明建 建设) and
Latin words and numbers become one lower-case token each with inner punctuation removed
(PM2.5 → pm25). A query is segmented the same way and every token must match (AND), so a
2-character word is one bigram, a longer word or phrase is the chain of its bigrams, and mixed
text such as 攀钢PM2.5 works on every database without a dictionary. See docs/search.md.

Any Wagtail page type joins the site search by inheriting ``ChineseSearchableMixin`` (before
``Page``) and overriding ``get_search_body_text``; ``cms.search.search_site`` queries all live
public pages; ``portal.search_backend`` is the admin's search backend on the same bigrams.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.utils import timezone
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index

CJK_CHARS = (
    "\u3400-\u4dbf"  # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"  # CJK Unified Ideographs
    "\uf900-\ufaff"  # CJK Compatibility Ideographs
    "\U00020000-\U0002ebef"  # Extensions B-F
)
_WORD = "0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_TOKEN_RE = re.compile(rf"(?P<cjk>[{CJK_CHARS}]+)|(?P<word>[{_WORD}]+(?:[.\-'][{_WORD}]+)*)")
_INNER_PUNCTUATION_RE = re.compile(r"[.\-']")


def normalize(text: str) -> str:
    """NFKC (full-width ＰＭ２．５ → PM2.5) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    """The distinct search tokens of ``text`` in order of first appearance.

    CJK runs give their overlapping bigrams (a lone character gives itself); other words give
    themselves without inner punctuation.
    """
    seen: dict[str, None] = {}
    for match in _TOKEN_RE.finditer(normalize(text)):
        run = match.group("cjk")
        if run is not None:
            if len(run) == 1:
                seen.setdefault(run, None)
            else:
                for i in range(len(run) - 1):
                    seen.setdefault(run[i : i + 2], None)
        else:
            seen.setdefault(_INNER_PUNCTUATION_RE.sub("", match.group("word")), None)
    return list(seen)


def segment(text: str) -> str:
    """The text to store in the search index: its tokens separated by spaces."""
    return " ".join(tokens(text))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment with block boundaries kept as spaces.

    Wagtail's ``get_text_for_indexing`` strips the tags and decodes every character reference
    exactly once (``&ldquo;两山&rdquo;`` → “两山”, ``&amp;lt;`` → ``&lt;`` as written by the
    editor); before it, table cells, rows and divisions get the same space after them that
    Wagtail gives paragraphs, list items and headings.
    """
    text = re.sub(r"(</(td|th|tr|div)\s*>)", r"\1 ", html or "", flags=re.IGNORECASE)
    text = re.sub(r"(<br\b[^>]*>)", r"\1 ", text, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", get_text_for_indexing(text)).strip()


class ChineseSearchableMixin:
    """Makes a Wagtail page type findable by the site search in Chinese.

    Put it before ``Page`` in the bases and override ``get_search_body_text`` (plain text of
    everything but the title). Optional hooks: ``get_search_result_date`` and
    ``search_result_label``. Extend ``search_fields`` as
    ``[*ChineseSearchableMixin.search_fields, index.FilterField(...)]``.
    """

    search_fields = [
        *Page.search_fields,
        index.SearchField("search_segmented_title", boost=5),
        index.SearchField("search_segmented_body"),
        # The admin's page search and chooser use autocomplete (see portal.search_backend).
        index.AutocompleteField("search_segmented_title"),
    ]

    #: Short label shown beside each result (e.g. "Column article"); defaults to the verbose name.
    search_result_label = None

    def get_search_body_text(self) -> str:
        return getattr(self, "search_description", "") or ""

    def get_search_snippet_text(self) -> str:
        """The text that result snippets are cut from (defaults to the indexed body text)."""
        return self.get_search_body_text()

    def get_search_result_date(self) -> date | None:
        published = self.first_published_at or self.last_published_at
        return timezone.localdate(published) if published else None

    def search_segmented_title(self) -> str:
        return segment(self.title)

    def search_segmented_body(self) -> str:
        return segment(self.get_search_body_text())
