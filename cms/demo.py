"""Demo content of the cms app: the 生态文明建设专栏 with its articles and the plain pages.

Idempotent: pages are matched by slug and created only when missing. Called by ``seed_demo``
after portal's seed, which creates the home page and the section placeholders.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from cms.demo_articles import (
    ARTICLES,
    FOOTER_PAGES,
    STANDARD_PAGE_SECTIONS,
    STANDARD_PAGE_TITLES_EN,
    STANDARD_PAGES,
)
from cms.models import ColumnArticlePage, ColumnCategory, ColumnIndexPage, HomePage, StandardPage
from cms.workflow import assign_column_workflow
from portal.demo import ensure_section
from portal.models import Subdistrict

COLUMN_TITLE = "生态文明建设专栏"
COLUMN_INTRO = (
    "定期发布东区生态文明建设的主要成果、重要计划、环境问题整改情况、环保设施建设推进情况，"
    "以及生态环境质量现状、生态保护专项行动和生态环境治理典型案例。"
)


def _block(kind: str, *args) -> dict:
    block_id = str(uuid.uuid4())
    if kind == "h":
        return {"type": "heading", "value": args[0], "id": block_id}
    if kind == "p":
        return {"type": "paragraph", "value": f"<p>{escape(args[0])}</p>", "id": block_id}
    if kind == "figures":
        return {
            "type": "key_figures",
            "value": [
                {
                    "type": "item",
                    "value": {"value": v, "unit": u, "label": label, "note": note},
                    "id": str(uuid.uuid4()),
                }
                for v, u, label, note in args[0]
            ],
            "id": block_id,
        }
    if kind == "quote":
        return {"type": "quote", "value": {"text": args[0], "attribution": args[1]}, "id": block_id}
    if kind == "callout":
        kind_, title, text = args
        return {
            "type": "callout",
            "value": {"kind": kind_, "title": title, "text": f"<p>{escape(text)}</p>"},
            "id": block_id,
        }
    if kind == "table":
        caption, rows, source = args
        return {
            "type": "table",
            "value": {
                "caption": caption,
                "table": {
                    "data": rows,
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                },
                "source": source,
            },
            "id": block_id,
        }
    raise ValueError(f"unknown demo block {kind!r}")


def ensure_column(home: HomePage) -> ColumnIndexPage:
    column = ensure_section(
        home, slug="column", page_class=ColumnIndexPage, title=COLUMN_TITLE, intro=COLUMN_INTRO
    )
    assign_column_workflow(column)
    return column


def ensure_articles(column: ColumnIndexPage) -> list[ColumnArticlePage]:
    categories = {c.slug: c for c in ColumnCategory.objects.all()}
    subdistricts = {s.code: s for s in Subdistrict.objects.all()}
    existing = set(ColumnArticlePage.objects.child_of(column).values_list("slug", flat=True))
    created = []
    for spec in ARTICLES:
        if spec["slug"] in existing:
            continue
        article = ColumnArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            date=date.fromisoformat(spec["date"]),
            source=spec["source"],
            category=categories[spec["category"]],
            featured=spec["featured"],
            body=[_block(kind, *args) for kind, *args in spec["body"]],
        )
        article.tags.add(*spec["tags"])
        article.subdistricts.set(
            [subdistricts[c] for c in spec["subdistricts"] if c in subdistricts]
        )
        column.add_child(instance=article)
        article.save_revision().publish()
        published = timezone.make_aware(datetime.combine(article.date, time(9, 30)))
        ColumnArticlePage.objects.filter(pk=article.pk).update(
            first_published_at=published, last_published_at=published
        )
        created.append(article)
    return created


def ensure_standard_pages(home: HomePage) -> None:
    """The plain pages, each under home or its section (moved there if an older seed put it at
    home), with English titles; idempotent."""
    for slug, title, intro, body in STANDARD_PAGES:
        parent = home
        section_slug = STANDARD_PAGE_SECTIONS.get(slug)
        if section_slug:
            parent = home.get_children().filter(slug=section_slug).first() or home
        page = StandardPage.objects.descendant_of(home).filter(slug=slug).first()
        if page is None:
            page = StandardPage(
                slug=slug,
                title=title,
                title_en=STANDARD_PAGE_TITLES_EN.get(slug, ""),
                intro=intro,
                body=body,
                show_in_menus=False,
            )
            parent.add_child(instance=page)
            page.save_revision().publish()
            continue
        if page.get_parent().pk != parent.pk:
            page.move(parent, pos="last-child")
        if not page.title_en and STANDARD_PAGE_TITLES_EN.get(slug):
            page.title_en = STANDARD_PAGE_TITLES_EN[slug]
            page.save_revision().publish()


def ensure_footer_pages(home: HomePage) -> None:
    """Point the footer's 关于/联系我们/无障碍声明/隐私政策 links at the demo pages when unset."""
    from wagtail.models import Site

    from portal.models import PortalSettings

    site = Site.objects.filter(root_page=home).first()
    if site is None:
        return
    settings = PortalSettings.for_site(site)
    changed = False
    for field, slug in FOOTER_PAGES.items():
        if getattr(settings, f"{field}_id") is None:
            page = StandardPage.objects.descendant_of(home).filter(slug=slug).first()
            if page is not None:
                setattr(settings, field, page)
                changed = True
    if changed:
        settings.save()


@transaction.atomic
def seed() -> None:
    home = HomePage.objects.first()
    if home is None:
        return
    column = ensure_column(home)
    ensure_articles(column)
    ensure_standard_pages(home)
    ensure_footer_pages(home)
    if not home.lead_article_id:
        # Lead with the newest featured article; editors may pick another in the admin.
        lead = column.articles().filter(featured=True).first()
        if lead is not None:
            home.lead_article = lead
            home.save_revision().publish()
