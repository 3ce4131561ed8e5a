"""RSS 2.0 and Atom feeds of the column, whole and per category.

Articles are written in Chinese only (``WAGTAIL_I18N_ENABLED`` is off: the interface is translated,
the content is not), so every feed, the English ``/en/feeds/…`` ones included, declares Chinese:
the channel or feed as a whole and, in Atom, each entry (``xml:lang``). The English feeds differ
only in their links, which open the articles in the English interface. Atom requires an author:
the feed names the site, and an entry its article's author or source, else the site too.
"""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from cms.models import ColumnArticlePage, ColumnCategory, ColumnIndexPage
from portal.models import PortalSettings

FEED_LENGTH = 20

#: The language the articles are written in, as RSS 2.0 (the RSS Board's list) and Atom
#: (``xml:lang``, BCP 47, as the pages' ``<html lang>``) spell it.
RSS_CONTENT_LANGUAGE = "zh-cn"
ATOM_CONTENT_LANGUAGE = "zh-Hans"


class AtomWithEntryLanguage(Atom1Feed):
    """Atom 1.0 whose entries carry ``xml:lang`` when the item says its language."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes


class ColumnRssFeed(Feed):
    feed_type = Rss201rev2Feed
    # Not the request's language (Django's default): the articles have no English version.
    language = RSS_CONTENT_LANGUAGE

    def get_object(self, request, category_slug: str | None = None):
        self.request = request
        column = ColumnIndexPage.objects.live().public().first()
        if column is None:
            raise Http404
        category = get_object_or_404(ColumnCategory, slug=category_slug) if category_slug else None
        return column, category

    def title(self, obj):
        column, category = obj
        return f"{column.title} - {category.name}" if category else column.title

    def link(self, obj):
        column, category = obj
        url = column.get_url(request=self.request)
        return f"{url}?category={category.slug}" if category else url

    def description(self, obj):
        column, category = obj
        return (category.description if category else "") or column.intro or column.title

    def feed_url(self, obj):
        return self.request.path

    def items(self, obj):
        column, category = obj
        articles = column.articles()
        if category is not None:
            articles = articles.filter(category=category)
        return articles[:FEED_LENGTH]

    def item_title(self, item: ColumnArticlePage):
        return item.title

    def item_description(self, item: ColumnArticlePage):
        return item.summary

    def item_link(self, item: ColumnArticlePage):
        return item.get_url(request=self.request)

    def item_pubdate(self, item: ColumnArticlePage):
        if item.first_published_at and timezone.localdate(item.first_published_at) == item.date:
            return item.first_published_at
        return timezone.make_aware(datetime.combine(item.date, time(9, 0)))

    def item_updateddate(self, item: ColumnArticlePage):
        return item.last_published_at or self.item_pubdate(item)

    def site_name(self) -> str:
        return PortalSettings.for_request(self.request).site_name

    def author_name(self, obj):
        return self.site_name()

    def item_author_name(self, item: ColumnArticlePage):
        return item.author or item.source or self.site_name()

    def item_categories(self, item: ColumnArticlePage):
        return [item.category.name]

    def item_guid(self, item):
        return self.request.build_absolute_uri(item.get_url(request=self.request))

    def item_guid_is_permalink(self, item):
        return True


class ColumnAtomFeed(ColumnRssFeed):
    feed_type = AtomWithEntryLanguage
    language = ATOM_CONTENT_LANGUAGE

    def item_extra_kwargs(self, item):
        return {"language": ATOM_CONTENT_LANGUAGE}

    def subtitle(self, obj):
        return self.description(obj)
