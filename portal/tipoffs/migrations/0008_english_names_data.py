from django.db import migrations


def fill(apps, schema_editor):
    from portal.tipoffs.taxonomy import fill_english_names

    fill_english_names(apps.get_model("tipoffs", "Category"))


class Migration(migrations.Migration):
    dependencies = [("tipoffs", "0007_report_hub_page_and_english_names")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
