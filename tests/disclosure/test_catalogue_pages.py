"""The catalogue's pages: order across pages, cached totals that follow every change, query ceiling."""

import datetime as dt

import pytest
from django.core.cache import cache
from wagtail.models import PageViewRestriction

from disclosure.selectors import ITEMS_PER_PAGE
from portal.pagecache import invalidate_public_pages

D = dt.date
pytestmark = pytest.mark.django_db

# Measured: Wagtail's routing and view-restriction checks, site settings and navigation, the
# facets and the total (both from the cache once warm), the page's ids and its rows.
CATALOGUE_QUERY_CEILING = 18


def render(client, url):
    """A full render: the anonymous page cache is emptied first (tests of the catalogue's own
    caches of facets and totals; the page cache has its tests in tests/cms/test_cache.py)."""
    invalidate_public_pages()
    return client.get(url)


def total(client, url) -> int:
    return render(client, url).context["items"].paginator.count


def test_pages_are_newest_first_ties_by_newest_id_and_nothing_is_lost_between_pages(
    client, index_page, make_item
):
    items = [
        make_item(f"条目{n}", publication_date=D(2025, 1 + n % 3, 1), written_date=D(2024, 1, 1))
        for n in range(ITEMS_PER_PAGE + 5)
    ]
    expected = [i.pk for i in sorted(items, key=lambda i: (i.publication_date, i.pk), reverse=True)]
    first = render(client, index_page.url).context["items"]
    second = render(client, index_page.url + "?page=2").context["items"]
    assert [i.pk for i in first] + [i.pk for i in second] == expected
    assert first.paginator.count == len(items)
    assert second.paginator.num_pages == 2
    # Rows carry what the list shows, not the body.
    assert first[0].title and first[0].department.name and first[0].category.name
    assert "body" in first[0].get_deferred_fields()


def test_the_cached_total_follows_publishing_unpublishing_deleting_and_restrictions(
    client, index_page, make_item
):
    kept = make_item("保留")
    make_item("第二")
    url = index_page.url
    assert total(client, url) == 2
    assert total(client, url) == 2  # now from the cache

    third = make_item("第三")
    assert total(client, url) == 3

    third.unpublish()
    assert total(client, url) == 2

    third.save_revision().publish()
    assert total(client, url) == 3

    PageViewRestriction.objects.create(page=third, restriction_type="login")
    assert total(client, url) == 2

    kept.delete()
    assert total(client, url) == 1


def test_filtered_totals_are_cached_per_filter(client, index_page, make_item, other_department):
    make_item("质量2025")
    make_item("资金2025", department=other_department)
    make_item("质量2024", publication_date=D(2024, 5, 1), written_date=D(2024, 4, 1))
    url = index_page.url
    assert total(client, url) == 3
    assert total(client, url + f"?department={other_department.pk}") == 1
    assert total(client, url + "?year=2024") == 1
    assert total(client, url + "?year=2025") == 2
    assert total(client, url) == 3


def test_a_warm_catalogue_page_stays_under_its_query_ceiling(
    client, index_page, make_item, django_assert_max_num_queries
):
    for n in range(ITEMS_PER_PAGE + 3):
        make_item(f"条目{n}")
    cache.clear()
    client.get(index_page.url + "?page=2")  # warm the facets and the total
    invalidate_public_pages()
    with django_assert_max_num_queries(CATALOGUE_QUERY_CEILING):
        response = client.get(index_page.url + "?page=2")
    assert len(response.context["items"]) == 3
