"""English means English (issue 14, part 8): names of sections, categories, indicators and
projects come from their English fields under /en/; Chinese content says so once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from disclosure.models import DisclosureCategory, Indicator, KeyProject, ProjectSystem
from portal.localize import localized_name
from portal.tipoffs.models import Category

pytestmark = pytest.mark.django_db


def test_the_plan_data_has_an_english_name_for_every_indicator_project_and_category():
    assert not Indicator.objects.filter(name_en="").exists()
    assert Indicator.objects.count() == 48  # 35 indicators and 13 parts
    assert not KeyProject.objects.filter(name_en="").exists()
    assert KeyProject.objects.count() == 48
    assert not ProjectSystem.objects.filter(name_en="").exists()
    assert not DisclosureCategory.objects.filter(name_en="").exists()
    assert not Category.objects.filter(name_en="").exists()


def test_localized_name_is_english_under_english_and_falls_back_to_chinese():
    indicator = Indicator.objects.get(number=34, part=0)
    assert localized_name(indicator) == indicator.name
    with translation.override("en"):
        assert localized_name(indicator) == "Public satisfaction with eco-civilization construction"
        indicator.name_en = ""
        assert localized_name(indicator) == "公众对生态文明建设的满意度"
    assert localized_name(None) == ""


@pytest.fixture
def site(db):
    from portal.demo import SECTION_TITLES_EN, ensure_english_title, ensure_site_tree

    site = ensure_site_tree()
    for page in site.root_page.get_children().specific():
        ensure_english_title(page, SECTION_TITLES_EN.get(page.slug, ""))
    return site


def test_the_english_site_shows_english_names_and_no_chinese_ones(site):
    client = Client()
    html = client.get("/en/disclosure/indicators/").content.decode()
    assert "Public satisfaction with eco-civilization construction" in html
    assert "公众对生态文明建设的满意度" not in html
    html = client.get("/en/disclosure/projects/").content.decode()
    assert "Drawing up the eco-civilization demonstration zone plan" in html
    assert "制生态文明示范区规划" not in html
    html = client.get("/en/tipoffs/new").content.decode()
    assert "Construction noise" in html and "建筑施工噪声" not in html
    zh = client.get("/disclosure/projects/").content.decode()
    assert "制生态文明示范区规划" in zh


def test_menus_use_the_english_section_titles(site):
    html = Client().get("/en/").content.decode()
    assert "Report pollution" in html and "Opinion surveys" in html
    assert ">环境污染举报<" not in html


def test_a_chinese_only_page_says_so_once_in_english_and_not_in_chinese(site):
    en = Client().get("/en/report/").content.decode()
    assert en.count('data-testid="untranslated-notice"') == 1
    zh = Client().get("/report/").content.decode()
    assert 'data-testid="untranslated-notice"' not in zh
