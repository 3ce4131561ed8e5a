"""Create the portal's role groups and grant the permissions that exist so far.

Later apps grant their own models' permissions in their own migrations with
portal.roles.grant_permissions, so each role's rights live beside the models they concern.
"""

from django.db import migrations

from portal import roles

ADMIN_ACCESS = ["wagtailadmin.access_admin"]
MEDIA_EDIT = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]
REFERENCE_DATA = [
    f"portal.{action}_{model}"
    for model in ("subdistrict", "department", "departmentmembership", "workdayoverride", "holidaycalendaryear")
    for action in ("add", "change", "delete", "view")
]

ROLE_PERMISSIONS = {
    roles.EDITOR: ADMIN_ACCESS + MEDIA_EDIT,
    roles.DISCLOSURE_OFFICER: ADMIN_ACCESS + MEDIA_EDIT,
    roles.INTAKE_OFFICER: ADMIN_ACCESS,
    roles.DEPARTMENT_HANDLER: ADMIN_ACCESS,
    roles.ANALYST: ADMIN_ACCESS,
    roles.ADMINISTRATOR: ADMIN_ACCESS
    + MEDIA_EDIT
    + REFERENCE_DATA
    + [
        "portal.change_portalsettings",
        "portal.add_user",
        "portal.change_user",
        "portal.delete_user",
        "portal.view_user",
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "auth.view_group",
        "wagtailimages.delete_image",
        "wagtaildocs.delete_document",
        "wagtailcore.add_site",
        "wagtailcore.change_site",
        "wagtailcore.view_site",
        "wagtailcore.add_workflow",
        "wagtailcore.change_workflow",
        "wagtailcore.add_task",
        "wagtailcore.change_task",
        "wagtailcore.add_collection",
        "wagtailcore.change_collection",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
    ],
}

# Page-tree permissions on the root page (they apply to every page below it).
# Editors draft; disclosure officers and administrators may also publish. The column issue adds
# the three-step review workflow on top.
ROLE_PAGE_PERMISSIONS = {
    roles.EDITOR: ["add_page", "change_page", "lock_page", "unlock_page"],
    roles.DISCLOSURE_OFFICER: ["add_page", "change_page", "publish_page"],
    roles.ADMINISTRATOR: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
}


def create_roles(apps, schema_editor):
    for role in roles.ALL_ROLES:
        roles.grant_permissions(apps, role, ROLE_PERMISSIONS.get(role, []))

    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root = Page.objects.filter(depth=1).first()
    for role, codenames in ROLE_PAGE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=roles.ALL_ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_portal_settings"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
