"""Demo content for local use: the site tree, reference data and one user per role.

`manage.py seed_demo` runs ``seed()`` here and then ``seed()`` in every project app that has a
``demo`` module (cms, disclosure, surveys, tipoffs, ...), in INSTALLED_APPS order. Every seeder is
idempotent: running the command twice leaves the same rows.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import GroupPagePermission, Page, Site

from portal import roles
from portal.models import Department, DepartmentMembership, PortalSettings
from portal.reference import ensure_reference_data
from portal.roles import anchor_page_permissions
from portal.sites import base_url_address, sync_default_site

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - local demo accounts only; refused without DEBUG

# (username, email, role or None for a resident, department code or None)
DEMO_USERS = [
    ("admin", "admin@demo.local", roles.ADMINISTRATOR, None),
    ("editor", "editor@demo.local", roles.EDITOR, None),
    ("disclosure", "disclosure@demo.local", roles.DISCLOSURE_OFFICER, "eco-env"),
    ("intake", "intake@demo.local", roles.INTAKE_OFFICER, "eco-env"),
    ("handler", "handler@demo.local", roles.DEPARTMENT_HANDLER, "eco-env"),
    ("handler2", "handler2@demo.local", roles.DEPARTMENT_HANDLER, "law-enforcement"),
    ("analyst", "analyst@demo.local", roles.ANALYST, "statistics"),
    ("resident", "resident@demo.local", None, None),
]

# (slug, title, intro) of the sections under the home page that the feature issues fill.
SECTIONS = [
    (
        "column",
        "生态文明建设专栏",
        "主要成果、重要计划、环境问题整改情况、环保设施建设推进情况和生态环境治理典型案例。",
    ),
    (
        "disclosure",
        "生态环境信息公开",
        "政府信息公开目录、35项建设指标与48项重点工程进展、依申请公开。",
    ),
    ("surveys", "民意调查", "公众对生态文明建设的满意度和参与度调查。"),
    (
        "report",
        "环境污染举报",
        "发现环境污染问题，可在线举报并凭查询码跟踪办理进度；举报人信息依法保密。",
    ),
]

# English titles of the sections (menus and headings under /en/).
SECTION_TITLES_EN = {
    "column": "Eco-civilization column",
    "disclosure": "Environmental information disclosure",
    "surveys": "Opinion surveys",
    "report": "Report pollution",
}


def ensure_site_tree():
    """A HomePage as the default site's root, with the section pages under it."""
    from cms.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title="首页",
            slug="home-page",
            intro="攀枝花市东区国家生态文明建设示范区创建（2021-2025）公众参与平台：读专栏、查公开、答调查、报污染。",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        hostname, port = base_url_address()
        site = Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name="东区生态文明",
        )
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.save()
        # Wagtail's "Welcome to your new Wagtail site!" placeholder.
        if old_root.specific_class is Page and old_root.depth == 2:
            old_root.delete()
    site = sync_default_site() or site
    anchor_page_permissions(
        group_page_permission_model=GroupPagePermission, group_model=Group, home_page=home
    )

    for slug, title, intro in SECTIONS:
        ensure_section(home, slug=slug, title=title, intro=intro)
    return site


def ensure_section(home, *, slug: str, page_class=None, **fields):
    """The live section page ``slug`` under ``home``, of ``page_class`` (default StandardPage).

    Apps call this from their own demo.seed() with their index page class: a childless page of
    another class left by an earlier seed (the foundation's StandardPage placeholder) is replaced.
    """
    from cms.models import StandardPage

    page_class = page_class or StandardPage
    existing = home.get_children().filter(slug=slug).first()
    if existing is not None:
        if existing.specific_class is page_class:
            return existing.specific
        if existing.get_children_count():
            return existing.specific  # real content below it: leave it to an editor
        existing.delete()
    page = page_class(slug=slug, show_in_menus=True, **fields)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def order_sections() -> None:
    """Put the section pages in the navigation order of SECTIONS (apps may have replaced some)."""
    from cms.models import HomePage

    home = HomePage.objects.first()
    for slug, _title, _intro in SECTIONS:
        page = home.get_children().filter(slug=slug).first()
        if page is not None:
            page.move(home, pos="last-child")
            ensure_english_title(page.specific, SECTION_TITLES_EN.get(slug, ""))


def ensure_english_title(page, title_en: str) -> None:
    """Give a page its English title when it has none (published as a new revision)."""
    if title_en and hasattr(page, "title_en") and not page.title_en:
        page.title_en = title_en
        page.save_revision().publish()


def ensure_portal_settings(site) -> None:
    settings = PortalSettings.for_site(site)
    if not settings.contact_phone:
        settings.contact_phone = "0812-0000000（示例）"
        settings.contact_email = "demo@demo.local"
        settings.contact_address = "四川省攀枝花市东区（示例地址）"
        settings.website_code = "0000000000（示例）"
        settings.icp_number = "蜀ICP备00000000号（示例）"
        settings.public_security_number = "川公网安备 00000000000000号（示例）"
        settings.save()


def ensure_demo_users() -> list[tuple[str, str, str]]:
    User = get_user_model()
    rows = []
    for username, email, role, department_code in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_superuser = role == roles.ADMINISTRATOR
            user.is_staff = role == roles.ADMINISTRATOR
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        if department_code:
            DepartmentMembership.objects.get_or_create(
                user=user, department=Department.objects.get(code=department_code)
            )
        rows.append((email, str(roles.ROLE_LABELS.get(role, "resident")), DEMO_PASSWORD))
    return rows


@transaction.atomic
def seed() -> None:
    ensure_reference_data()
    site = ensure_site_tree()
    ensure_portal_settings(site)
    ensure_demo_users()
