import datetime as dt

import pytest

from disclosure.models import DisclosureCategory, DisclosureIndexPage, DisclosureItemPage
from portal import roles
from portal.demo import ensure_section, ensure_site_tree
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def site(db):
    return ensure_site_tree()


@pytest.fixture
def index_page(site):
    return ensure_section(
        site.root_page, slug="disclosure", page_class=DisclosureIndexPage, title="生态环境信息公开"
    )


@pytest.fixture
def department(db):
    return DepartmentFactory(
        code="eco", name="东区生态环境局", organisation_code="11510402MB0000001D"
    )


@pytest.fixture
def other_department(db):
    return DepartmentFactory(code="fin", name="区财政局", organisation_code="11510402MB0000002D")


@pytest.fixture
def category(db):
    return DisclosureCategory.objects.get(slug="quality")


@pytest.fixture
def make_item(index_page, department, category):
    def make(title="2024年东区生态环境质量状况", *, publish=True, **fields):
        values = {
            "department": department,
            "category": category,
            "written_date": dt.date(2025, 5, 20),
            "publication_date": dt.date(2025, 5, 30),
            "body": "<p>2024年东区环境空气优良天数比例为97.0%。</p>",
        }
        values.update(fields)
        page = DisclosureItemPage(title=title, live=publish, **values)
        index_page.add_child(instance=page)
        if publish:
            page.save_revision().publish()
        return DisclosureItemPage.objects.get(pk=page.pk)

    return make


@pytest.fixture
def officer(db):
    return UserFactory(username="officer", roles=[roles.DISCLOSURE_OFFICER])


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", roles=[roles.EDITOR])


@pytest.fixture
def resident(db):
    return UserFactory(username="resident")


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin1", roles=[roles.ADMINISTRATOR])
