"""Editors and disclosure officers hold their page permissions on the site's home page, not on
the tree's root, so the page explorer opens at home (portal.roles.anchor_page_permissions).

A fresh database still has Wagtail's placeholder as the site root: ``seed_demo``'s
``ensure_site_tree`` moves the permissions when it creates the home page.
"""

from django.db import migrations

from portal import roles


def forwards(apps, schema_editor):
    Site = apps.get_model("wagtailcore", "Site")
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None or site.root_page.depth < 2:
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    placeholder = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    if placeholder is not None and site.root_page.content_type_id == placeholder.pk:
        return
    roles.anchor_page_permissions(
        group_page_permission_model=apps.get_model("wagtailcore", "GroupPagePermission"),
        group_model=apps.get_model("auth", "Group"),
        home_page=site.root_page,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_notification"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
