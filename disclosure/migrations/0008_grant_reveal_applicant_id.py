"""Disclosure officers may reveal an applicant's full ID number (each reveal is logged)."""

from django.db import migrations

from portal import roles


def grant(apps, schema_editor):
    roles.grant_permissions(apps, roles.DISCLOSURE_OFFICER, ["disclosure.reveal_applicant_id"])


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0007_request_account_and_identity_purge")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
