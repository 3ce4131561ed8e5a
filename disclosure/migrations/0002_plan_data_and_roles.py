"""Load the plan's 表1/表2/附表 and the catalogue categories; grant the disclosure roles."""

from django.db import migrations

from disclosure import data
from portal import roles

MODELS = [
    "disclosurecategory",
    "disclosureplan",
    "disclosureplanentry",
    "indicator",
    "indicatorreading",
    "keyproject",
    "projectprogress",
    "projectsystem",
    "disclosurerequest",
    "annualreportinputs",
]
OFFICER = [f"disclosure.{action}_{model}" for model in MODELS for action in ("add", "change", "view")]
OFFICER += [
    "disclosure.delete_indicatorreading",
    "disclosure.delete_projectprogress",
    "disclosure.delete_disclosureplanentry",
    "disclosure.process_disclosurerequest",
    "disclosure.change_disclosuresettings",
    "disclosure.view_disclosureitemversion",
]
ADMIN = OFFICER + [
    f"disclosure.delete_{model}"
    for model in ("disclosurecategory", "disclosureplan", "keyproject", "indicator", "annualreportinputs")
]


def load(apps, schema_editor):
    data.load_categories(apps.get_model("disclosure", "DisclosureCategory"))
    Department = apps.get_model("portal", "Department")
    data.load_indicators(apps.get_model("disclosure", "Indicator"), Department)
    data.load_projects(
        apps.get_model("disclosure", "ProjectSystem"), apps.get_model("disclosure", "KeyProject"), Department
    )
    roles.grant_permissions(apps, roles.DISCLOSURE_OFFICER, OFFICER)
    roles.grant_permissions(apps, roles.ADMINISTRATOR, ADMIN)


def unload(apps, schema_editor):
    for name in ("KeyProject", "ProjectSystem", "Indicator", "DisclosureCategory"):
        apps.get_model("disclosure", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial"), ("portal", "0003_roles")]

    operations = [migrations.RunPython(load, unload)]
