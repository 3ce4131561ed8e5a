"""Seed the pollution taxonomy (and the default routing where the departments already exist)."""

from django.db import migrations

from portal.tipoffs.taxonomy import seed_taxonomy


def forwards(apps, schema_editor):
    seed_taxonomy(
        apps.get_model("tipoffs", "Category"),
        apps.get_model("tipoffs", "RoutingRule"),
        apps.get_model("portal", "Department"),
    )


class Migration(migrations.Migration):
    dependencies = [("tipoffs", "0001_initial"), ("portal", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
