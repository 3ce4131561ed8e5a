"""Grant the pollution-report permissions to the roles.

The reporter's identity (view_reporter_identity) goes to intake officers only; administrators
manage the reference tables and API keys but do not see who reported.
"""

from django.db import migrations

from portal import roles


def crud(model: str) -> list[str]:
    return [f"tipoffs.{action}_{model}" for action in ("add", "change", "delete", "view")]


ROLE_PERMISSIONS = {
    roles.INTAKE_OFFICER: [
        "tipoffs.view_tipoff",
        "tipoffs.intake_tipoff",
        "tipoffs.view_all_tipoffs",
        "tipoffs.view_reporter_identity",
        "tipoffs.export_tipoffs",
        "tipoffs.view_reward_eligibility",
        "tipoffs.view_category",
        *crud("routingrule"),
        *crud("replytemplate"),
    ],
    roles.DEPARTMENT_HANDLER: [
        "tipoffs.view_tipoff",
        "tipoffs.handle_tipoff",
        "tipoffs.view_replytemplate",
    ],
    roles.ADMINISTRATOR: [
        "tipoffs.view_tipoff",
        "tipoffs.view_all_tipoffs",
        "tipoffs.export_tipoffs",
        *crud("category"),
        *crud("routingrule"),
        *crud("replytemplate"),
        *crud("open311client"),
        "tipoffs.view_identityaccesslog",
        "tipoffs.view_purgelog",
    ],
}


def forwards(apps, schema_editor):
    for role, perms in ROLE_PERMISSIONS.items():
        roles.grant_permissions(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [("tipoffs", "0002_taxonomy"), ("portal", "0003_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
