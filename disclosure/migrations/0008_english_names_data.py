from django.db import migrations


def fill(apps, schema_editor):
    from disclosure import data

    data.load_english_names(
        apps.get_model("disclosure", "DisclosureCategory"),
        apps.get_model("disclosure", "Indicator"),
        apps.get_model("disclosure", "ProjectSystem"),
        apps.get_model("disclosure", "KeyProject"),
    )


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0007_english_names")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
