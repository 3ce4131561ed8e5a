"""The catalogue: index numbers, versions with fingerprints and diffs, filters, search."""

import datetime as dt
import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse
from wagtail.documents import get_document_model

from disclosure.index_numbers import IndexNumberPatternError, format_index_number
from disclosure.models import (
    DisclosureItemAttachment,
    DisclosureItemPage,
    DisclosureItemVersion,
    DisclosureSettings,
    allocate_index_number,
)

D = dt.date
pytestmark = pytest.mark.django_db


def test_index_numbers_follow_the_configurable_pattern_and_run_per_code_and_year(
    make_item, department
):
    first = make_item("第一条")
    second = make_item("第二条")
    older = make_item("去年的", publication_date=D(2024, 3, 1), written_date=D(2024, 2, 1))
    assert first.index_number == "11510402MB0000001D/2025-00001"
    assert second.index_number == "11510402MB0000001D/2025-00002"
    assert older.index_number == "11510402MB0000001D/2024-00001"
    settings = DisclosureSettings.load()
    settings.index_number_pattern = "{org}-{year}-{serial:04d}"
    settings.save()
    assert make_item("第三条").index_number == "11510402MB0000001D-2025-0003"


def test_an_index_number_is_kept_when_the_item_is_edited_and_republished(make_item):
    item = make_item()
    number = item.index_number
    item.title = "2024年东区生态环境质量状况（修订）"
    item.save_revision().publish()
    item.refresh_from_db()
    assert item.index_number == number


def test_a_bad_pattern_is_refused_with_a_clear_message():
    with pytest.raises(IndexNumberPatternError, match="serial"):
        format_index_number("{org}/{year}", org="X", year=2025, serial=1)
    with pytest.raises(IndexNumberPatternError, match="Unknown|未知的占位符"):
        format_index_number("{org}/{month}-{serial}", org="X", year=2025, serial=1)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_index_numbers_stay_unique_under_concurrent_creation(department):
    if connection.vendor == "sqlite":
        pytest.skip(
            "SQLite in-memory test databases cannot be shared by threads; run on PostgreSQL"
        )
    results, errors = [], []
    barrier = threading.Barrier(8)

    def worker():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            for _ in range(5):
                results.append(allocate_index_number(department=department, year=2025))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 40 and len(set(results)) == 40
    assert sorted(int(r.rsplit("-", 1)[1]) for r in results) == list(range(1, 41))


def test_each_publish_records_a_version_only_when_something_changed(make_item):
    item = make_item()
    assert item.versions.count() == 1
    item.save_revision().publish()  # nothing changed
    assert item.versions.count() == 1
    item.body = "<p>2024年东区环境空气优良天数比例为97.1%。</p>"
    item.save_revision().publish()
    versions = list(item.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].fingerprint != versions[1].fingerprint
    assert len(versions[1].fingerprint) == 64


def test_the_fingerprint_changes_when_an_attachment_changes(make_item):
    Document = get_document_model()
    document = Document(title="监测数据")
    document.file.save("data.csv", ContentFile(b"site,value\nA,35\n"), save=False)
    document.save()
    item = make_item(publish=False)
    item.attachments.add(DisclosureItemAttachment(document=document))
    item.save()
    item.save_revision().publish()
    v1 = item.versions.get()
    assert v1.attachments[0]["filename"].startswith("data")
    # Same name, new content: the fingerprint changes.
    document.file.save("data.csv", ContentFile(b"site,value\nA,36\n"), save=False)
    document.save()
    item.save_revision().publish()
    v2 = item.versions.order_by("-number").first()
    assert v2.number == 2 and v2.fingerprint != v1.fingerprint
    assert v2.attachments[0]["sha256"] != v1.attachments[0]["sha256"]


def test_the_version_history_and_diff_are_public(client, make_item):
    item = make_item()
    item.body = "<p>2024年东区环境空气优良天数比例为97.1%。</p>"
    item.save_revision().publish()
    response = client.get(reverse("disclosure:item_versions", args=[item.pk]))
    assert response.status_code == 200
    for version in item.versions.all():
        assert version.fingerprint in response.content.decode()
    response = client.get(reverse("disclosure:item_diff", args=[item.pk]) + "?a=1&b=2")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<del>" in body and "97.0%" in body and "<ins>" in body and "97.1%" in body


def test_a_draft_item_and_its_history_are_not_public(client, make_item):
    item = make_item(publish=False)
    assert client.get(reverse("disclosure:item_versions", args=[item.pk])).status_code == 404
    assert DisclosureItemVersion.objects.count() == 0


def test_the_item_page_shows_the_metadata_table(client, make_item):
    item = make_item(document_number="东环发〔2025〕1号")
    body = client.get(item.url).content.decode()
    for value in (
        item.index_number,
        "东区生态环境局",
        "环境质量",
        "东环发〔2025〕1号",
        "2025-05-20",
        "2025-05-30",
    ):
        assert value in body


def test_the_catalogue_filters_by_category_year_and_department(
    client, index_page, make_item, other_department
):
    from disclosure.models import DisclosureCategory

    make_item("质量2025")
    make_item("质量2024", publication_date=D(2024, 5, 1), written_date=D(2024, 4, 1))
    finance = DisclosureCategory.objects.get(slug="finance")
    make_item("资金2025", category=finance, department=other_department)
    body = client.get(index_page.url + f"?category={finance.pk}").content.decode()
    assert "资金2025" in body and "质量2025" not in body
    body = client.get(index_page.url + "?year=2024").content.decode()
    assert "质量2024" in body and "质量2025" not in body
    body = client.get(index_page.url + f"?department={other_department.pk}").content.decode()
    assert "资金2025" in body and "质量2024" not in body
    assert client.get(index_page.url + "?year=abc&page=99").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["?department=99999999999999999999", "?category=99999999999999999999", "?year=10000"],
)
def test_out_of_range_filters_are_ignored_rather_than_crashing(
    client, index_page, make_item, query
):
    make_item("质量2025")
    response = client.get(index_page.url + query)
    assert response.status_code == 200
    assert "质量2025" in response.content.decode()


def test_an_out_of_range_item_number_is_not_found(client):
    big = 99999999999999999999
    assert client.get(reverse("disclosure:item_versions", args=[big])).status_code == 404
    assert client.get(reverse("disclosure:item_diff", args=[big])).status_code == 404


def test_the_catalogue_list_runs_a_constant_number_of_queries(
    client, index_page, make_item, django_assert_num_queries
):
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        make_item(f"条目{n}")
    from django.core.cache import cache

    client.get(index_page.url)  # warm the session
    cache.clear()  # measure with cold facets, the worst case
    with CaptureQueriesContext(connection) as few:
        client.get(index_page.url)
    for n in range(3, 25):
        make_item(f"条目{n}", publication_date=D(2024 - n % 3, 5, 1), written_date=D(2020, 1, 1))
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(index_page.url)
    assert response.status_code == 200
    assert len(response.context["items"]) == 20


def test_a_reserved_slug_is_refused_for_an_item(make_item):
    from django.core.exceptions import ValidationError

    item = make_item()
    item.slug = "indicators"
    with pytest.raises(ValidationError):
        item.full_clean()


def test_items_are_found_by_the_site_search_in_chinese(make_item):
    from cms.search import search_site

    make_item("饮用水水源地水质状况公告", body="<p>集中式饮用水水源地水质全部达标。</p>")
    outcome = search_site(query="水源")
    titles = [hit.page.title for hit in outcome.page]
    assert "饮用水水源地水质状况公告" in titles
    assert DisclosureItemPage.objects.get(title="饮用水水源地水质状况公告").get_search_body_text()


def test_the_diff_of_a_single_version_says_there_is_nothing_to_compare(client, make_item):
    item = make_item("单一版本")
    response = client.get(reverse("disclosure:item_diff", args=[item.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="same-version"' in body
    assert "nothing to compare" in body or "没有可比较" in body
