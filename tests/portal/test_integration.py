"""Cross-app integration through Wagtail hooks: the 我的 page's sections."""

import pytest
from django.urls import reverse
from wagtail import hooks

from portal.integration import MeSection
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_me_page_shows_the_sections_apps_register(client):
    client.force_login(UserFactory(username="alice"))
    html = client.get(reverse("me")).content.decode()
    # portal/learning/wagtail_hooks.py contributes the points card.
    assert "积分" in html and f'href="{reverse("learning:me")}"' in html


def test_a_new_section_is_one_hook_and_a_hook_may_contribute_nothing(client):
    def my_cases(request):
        return MeSection(title="我的测试卡片", links=[("测试链接", "/x/")], order=1)

    def nothing(request):
        return None

    client.force_login(UserFactory(username="alice"))
    with (
        hooks.register_temporarily("portal_me_sections", my_cases),
        hooks.register_temporarily("portal_me_sections", nothing),
    ):
        response = client.get(reverse("me"))
    html = response.content.decode()
    assert "我的测试卡片" in html and 'href="/x/"' in html
    sections = response.context["sections"]
    assert sections[0].title == "我的测试卡片" and None not in sections
