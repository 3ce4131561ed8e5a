from django.db import migrations

from portal import roles


def grant(apps, schema_editor):
    roles.grant_permissions(
        apps,
        roles.ADMINISTRATOR,
        ["cms.view_pageerrorreport", "cms.change_pageerrorreport"],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0007_page_error_report"),
        ("portal", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
