"""Grant the learning permissions to the roles.

Editors and administrators keep the question bank and the reward catalogue and run the pickup
desk; analysts, editors and administrators see the participation statistics; administrators
also set the points rules.
"""

from django.db import migrations

from portal import roles


def crud(model: str) -> list[str]:
    return [f"learning.{action}_{model}" for action in ("add", "change", "delete", "view")]


CONTENT = [*crud("topic"), *crud("question"), *crud("choice"), *crud("reward")]
DESK = ["learning.view_redemption", "learning.change_redemption"]
STATS = ["learning.view_learning_statistics"]

ROLE_PERMISSIONS = {
    roles.EDITOR: [*CONTENT, *DESK, *STATS],
    roles.ANALYST: STATS,
    roles.ADMINISTRATOR: [*CONTENT, *DESK, *STATS, "learning.change_learningsettings"],
}


def forwards(apps, schema_editor):
    for role, perms in ROLE_PERMISSIONS.items():
        roles.grant_permissions(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial"), ("portal", "0003_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
