"""Wagtail pages of the site itself: home, the 生态文明建设专栏 column and its articles, plain pages.

Placement rules (``parent_page_types`` / ``subpage_types``): one column index under the home page,
column articles only under a column index, plain pages under home or another plain page.
Other apps' section pages (disclosure, surveys, ...) may also live under the home page.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.db import models
from django.template.loader import select_template
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES, ArticleBodyBlock, stream_text
from cms.cache import CachedPageMixin
from portal.localize import EnglishTitleMixin, english_name_field
from portal.search import ChineseSearchableMixin, html_to_text

COLUMN_PAGE_SIZE = 12
# The key-indicator snapshot on the home page: the disclosure app provides the first template;
# without it the slot stays empty.
INDICATORS_TEMPLATES = [
    "disclosure/includes/home_indicators.html",
    "cms/includes/home_indicators_empty.html",
]


class ColumnCategory(index.Indexed, models.Model):
    """A kind of column article (主要成果, 重要计划, ...). A snippet: editors may add more."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = english_name_field(80)
    slug = models.SlugField(
        _("slug"), max_length=40, unique=True, help_text=_("Used in addresses and feeds.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("column category")
        verbose_name_plural = _("column categories")

    def __str__(self):
        return self.name


class ColumnArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ColumnArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("column article tag")
        verbose_name_plural = _("column article tags")


class HomePage(CachedPageMixin, ChineseSearchableMixin, Page):
    """The portal's home page: lead story, latest column articles, entry cards, key indicators."""

    intro = models.TextField(_("introduction"), blank=True)
    lead_article = models.ForeignKey(
        "cms.ColumnArticlePage",
        verbose_name=_("lead story"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to lead with the newest featured column article."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("lead_article")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1
    search_result_label = _("Home")

    class Meta:
        verbose_name = _("home page")

    def get_search_body_text(self) -> str:
        return self.intro

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Specific instances without one query per page type: only base fields are loaded, and
        # the few specific ones a card shows (a section's intro) load on access.
        children = list(self.get_children().live().in_menu().specific(defer=True))
        context["sections"] = children
        column = next((c for c in children if isinstance(c, ColumnIndexPage)), None)
        context["column"] = column
        latest = []
        lead = None
        if column is not None:
            articles = column.articles()
            lead = (
                articles.filter(pk=self.lead_article_id).first() if self.lead_article_id else None
            )
            if lead is None:
                lead = articles.filter(featured=True).first() or articles.first()
            latest = list(articles.exclude(pk=lead.pk)[:6]) if lead else []
        context["lead_article"] = lead
        context["latest_articles"] = latest
        context["entries"] = self.entry_cards(children)
        shown = {card["page"].pk for card in context["entries"]} | (
            {column.pk} if column else set()
        )
        context["other_sections"] = [c for c in children if c.pk not in shown]
        context["indicators_template"] = select_template(INDICATORS_TEMPLATES)
        return context

    @staticmethod
    def entry_cards(children):
        """The three entry cards: 信息公开, 民意调查, 环境举报 — each the section page by slug."""
        by_slug = {c.slug: c for c in children}
        cards = []
        for slug, title, text in (
            (
                "disclosure",
                _("Information disclosure"),
                _("Catalogue, indicators, key projects, requests"),
            ),
            ("surveys", _("Opinion surveys"), _("Tell us how satisfied you are and take part")),
            (
                "report",
                _("Report pollution"),
                _("File a report and follow it with your tracking code"),
            ),
        ):
            page = by_slug.get(slug)
            if page is not None:
                cards.append({"page": page, "title": title, "text": text, "slug": slug})
        return cards


class ColumnIndexPage(EnglishTitleMixin, CachedPageMixin, ChineseSearchableMixin, Page):
    """生态文明建设专栏: the list of column articles with category and year filters."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("title_en"), FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ColumnArticlePage"]
    max_count_per_parent = 1
    search_result_label = _("Eco column")

    class Meta:
        verbose_name = _("column index page")

    def get_search_body_text(self) -> str:
        return self.intro

    def articles(self):
        return (
            ColumnArticlePage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("category")
            .order_by("-date", "-first_published_at", "-pk")
            .defer_streamfields()  # lists, cards and feeds show the summary, never the body
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        categories = list(ColumnCategory.objects.all())
        articles = self.articles()
        category = None
        slug = request.GET.get("category", "")
        if slug:
            category = next((c for c in categories if c.slug == slug), None)
            articles = articles.filter(category=category) if category else articles.none()
        year = None
        raw_year = request.GET.get("year", "")
        if raw_year:
            year = int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else None
            articles = articles.filter(date__year=year) if year else articles.none()
        paginator = Paginator(articles, COLUMN_PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        years = [
            d.year
            for d in ColumnArticlePage.objects.live()
            .descendant_of(self)
            .dates("date", "year", order="DESC")
        ]
        context.update(
            {
                "categories": categories,
                "selected_category": category,
                "selected_year": year,
                "years": years,
                "page_obj": page_obj,
                "articles": page_obj.object_list,
                "filter_query": _filter_query(category, year),
            }
        )
        return context


def _filter_query(category, year) -> str:
    from urllib.parse import urlencode

    params = {}
    if category:
        params["category"] = category.slug
    if year:
        params["year"] = year
    return urlencode(params)


class ColumnArticlePage(CachedPageMixin, ChineseSearchableMixin, Page):
    """One article of the column."""

    summary = models.TextField(
        _("summary"), max_length=400, help_text=_("One or two sentences shown in lists and feeds.")
    )
    date = models.DateField(_("publication date"), default=timezone.localdate)
    source = models.CharField(
        _("source"), max_length=80, blank=True, help_text=_("Issuing body, e.g. 东区生态环境局.")
    )
    author = models.CharField(_("author"), max_length=80, blank=True)
    category = models.ForeignKey(
        ColumnCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = ClusterTaggableManager(through=ColumnArticleTag, blank=True, verbose_name=_("tags"))
    subdistricts = ParentalManyToManyField(
        "portal.Subdistrict",
        blank=True,
        verbose_name=_("related sub-districts"),
        related_name="column_articles",
    )
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Candidates for the home page's lead story.")
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("date"), FieldPanel("category")]),
                FieldRowPanel([FieldPanel("source"), FieldPanel("author")]),
                FieldPanel("tags"),
                FieldPanel("subdistricts", widget=forms.CheckboxSelectMultiple),
                FieldPanel("featured"),
            ],
            heading=_("About this article"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *ChineseSearchableMixin.search_fields,
        index.FilterField("date"),
        index.FilterField("category"),
    ]
    parent_page_types = ["cms.ColumnIndexPage"]
    subpage_types: list[str] = []
    search_result_label = _("Column article")
    og_type = "article"

    class Meta:
        verbose_name = _("column article")
        verbose_name_plural = _("column articles")

    def get_search_body_text(self) -> str:
        tags = " ".join(t.name for t in self.tags.all())
        category = self.category.name if self.category_id else ""
        return " ".join(
            p
            for p in (
                self.summary,
                category,
                self.source,
                self.author,
                tags,
                stream_text(self.body),
            )
            if p
        )

    def get_search_snippet_text(self) -> str:
        return f"{self.summary} {stream_text(self.body)}"

    def get_search_result_date(self):
        return self.date

    @cached_property
    def tag_list(self):
        return list(self.tags.all())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related_articles"] = list(
            ColumnArticlePage.objects.live()
            .public()
            .filter(category_id=self.category_id)
            .exclude(pk=self.pk)
            .order_by("-date", "-pk")[:5]
        )
        context["subdistrict_list"] = list(self.subdistricts.all())
        return context


class StandardPage(EnglishTitleMixin, CachedPageMixin, ChineseSearchableMixin, Page):
    """A plain page: about, contact, how to report pollution, section landing pages."""

    intro = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [
        *Page.content_panels,
        FieldPanel("title_en"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    # Also under other apps' section pages (the 信息公开 guide, the pollution-report guide).
    parent_page_types = [
        "cms.HomePage",
        "cms.StandardPage",
        "disclosure.DisclosureIndexPage",
        "tipoffs.ReportHubPage",
    ]
    subpage_types = ["cms.StandardPage"]
    search_result_label = _("Page")

    class Meta:
        verbose_name = _("standard page")

    def get_search_body_text(self) -> str:
        return " ".join(p for p in (self.intro, html_to_text(self.body)) if p)


class PageErrorReport(models.Model):
    """纠错: a visitor's report of an error on a page, for the site administrators."""

    page_url = models.CharField(_("page address"), max_length=500)
    description = models.TextField(_("what is wrong"), max_length=2000)
    contact = models.CharField(
        _("contact (optional)"),
        max_length=120,
        blank=True,
        help_text=_("An e-mail address or telephone number, if the visitor wants a reply."),
    )
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    handled = models.BooleanField(_("handled"), default=False)
    note = models.TextField(_("administrator's note"), blank=True)

    panels = [
        FieldPanel("page_url", read_only=True),
        FieldPanel("description", read_only=True),
        FieldPanel("contact", read_only=True),
        FieldPanel("created_at", read_only=True),
        FieldPanel("handled"),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("error report")
        verbose_name_plural = _("error reports")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.page_url}"
