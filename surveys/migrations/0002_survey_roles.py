"""Grant the survey permissions: analysts and administrators build surveys and run fieldwork."""

from django.db import migrations

from portal import roles

MODELS = ("survey", "question", "choice", "matrixrow", "quotacell", "scoringdefinition")
READ_ONLY = ("response", "importbatch", "tokenbatch", "surveyevent")
BUILD = [f"surveys.{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")]
FIELDWORK = [f"surveys.view_{model}" for model in READ_ONLY] + [
    "surveys.view_responses",
    "surveys.manage_fieldwork",
]
PAGES = [
    f"surveys.{action}_{model}"
    for model in ("surveyindexpage", "surveypage")
    for action in ("add", "change", "view")
]


def grant(apps, schema_editor):
    perms = BUILD + FIELDWORK
    roles.grant_permissions(apps, roles.ANALYST, perms)
    roles.grant_permissions(apps, roles.ADMINISTRATOR, perms + PAGES)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_roles"),
        ("surveys", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
