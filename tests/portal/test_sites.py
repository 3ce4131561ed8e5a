"""The default Wagtail Site names the real host (PORTAL_BASE_URL), so absolute URLs do too."""

import pytest
from django.core.management import call_command
from wagtail.models import Site

from portal.demo import ensure_site_tree

pytestmark = pytest.mark.django_db

BASE_URL = "https://eco.example.gov.cn"


@pytest.fixture
def real_host(settings):
    settings.PORTAL_BASE_URL = settings.WAGTAILADMIN_BASE_URL = BASE_URL


def default_site():
    return Site.objects.get(is_default_site=True)


def test_migrate_points_the_default_site_at_the_base_url(real_host):
    assert default_site().hostname == "localhost"  # as Wagtail's migration left it
    call_command("migrate", verbosity=0)
    site = default_site()
    assert (site.hostname, site.port, site.root_url) == ("eco.example.gov.cn", 443, BASE_URL)


def test_seed_reference_points_the_default_site_at_the_base_url(real_host):
    call_command("seed_reference")
    assert (default_site().hostname, default_site().port) == ("eco.example.gov.cn", 443)


def test_a_port_in_the_base_url_is_kept(settings):
    settings.PORTAL_BASE_URL = "http://portal.internal:8080"
    call_command("seed_reference")
    assert default_site().root_url == "http://portal.internal:8080"


def test_sitemap_names_the_real_host(real_host, client):
    ensure_site_tree()  # seed_demo's site tree; syncs the site too
    call_command("seed_reference")
    response = client.get("/sitemap.xml")  # whatever Host the proxy passes on
    assert response.status_code == 200
    body = response.content.decode()
    locations = [part.split("</loc>")[0] for part in body.split("<loc>")[1:]]
    assert locations
    assert all(loc.startswith(f"{BASE_URL}/") for loc in locations), locations
    assert "localhost" not in body


def test_an_other_site_with_that_host_is_left_alone(real_host):
    site = default_site()
    Site.objects.create(hostname="eco.example.gov.cn", port=443, root_page=site.root_page)
    call_command("seed_reference")
    assert default_site().hostname == "localhost"
