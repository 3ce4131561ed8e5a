from django.db import migrations

NAMES_EN = {
    "achievements": "Main achievements",
    "plans": "Major plans",
    "rectification": "Rectification of environmental problems",
    "facilities": "Progress of environmental facilities",
    "quality": "State of the environment",
    "campaigns": "Special protection campaigns",
    "cases": "Typical cases of environmental governance",
    "policy": "Policy explained",
}


def fill(apps, schema_editor):
    ColumnCategory = apps.get_model("cms", "ColumnCategory")
    for slug, name in NAMES_EN.items():
        ColumnCategory.objects.filter(slug=slug, name_en="").update(name_en=name)


class Migration(migrations.Migration):
    dependencies = [("cms", "0005_english_names")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
