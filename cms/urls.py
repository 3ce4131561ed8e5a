"""Routes of the cms app, mounted at the site root (inside i18n_patterns) before Wagtail's pages.

None of these prefixes is a page slug: ``search``, ``feeds``, ``sitemap.xml``, ``robots.txt``,
``site-map``, ``report-error``.
"""

from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from cms import views
from cms.cache import cache_public_view
from cms.feeds import ColumnAtomFeed, ColumnRssFeed

app_name = "cms"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("feeds/column/rss.xml", cache_public_view(ColumnRssFeed()), name="column_rss"),
    path("feeds/column/atom.xml", cache_public_view(ColumnAtomFeed()), name="column_atom"),
    path(
        "feeds/column/<slug:category_slug>/rss.xml",
        cache_public_view(ColumnRssFeed()),
        name="category_rss",
    ),
    path(
        "feeds/column/<slug:category_slug>/atom.xml",
        cache_public_view(ColumnAtomFeed()),
        name="category_atom",
    ),
    path("sitemap.xml", cache_public_view(sitemap), name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("site-map/", views.site_map, name="site_map"),
    path("report-error/", views.report_error, name="report_error"),
]
