"""The bureau's rights (disclosure officers and administrators, from ``portal.roles.ROLE_ACTIONS``)
and the enterprise discloser group (``portal.roles.ENTERPRISE_FILER``: file for one's own
enterprise, scoped by ``EnterpriseAccount``; no admin access)."""

from django.db import migrations

from portal import roles


def forwards(apps, schema_editor):
    from enterprises.policies import enterprise_policy

    roles.grant_policy_actions(apps, [enterprise_policy])
    roles.grant_permissions(
        apps, roles.ENTERPRISE_FILER, [enterprise_policy.permission_for("file")]
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=roles.ENTERPRISE_FILER).delete()


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_enterprise_disclosure"), ("portal", "0003_roles")]

    operations = [migrations.RunPython(forwards, backwards)]
