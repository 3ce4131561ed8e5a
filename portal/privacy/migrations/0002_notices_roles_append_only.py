"""The first version of each collection point's notice, the administrators' rights, and the
append-only triggers of the consent, reveal and request-event logs."""

from django.db import migrations

from portal import roles
from portal.audit import append_only_trigger
from portal.privacy.notices import DEFAULT_NOTICES

ADMIN = [
    "privacy.handle_subjectrequest",
    "privacy.view_subjectrequest",
    "privacy.add_subjectrequest",
    "privacy.change_subjectrequest",
    "privacy.view_privacynotice",
    "privacy.add_privacynotice",
    "privacy.change_privacynotice",
    "privacy.view_consentrecord",
    "privacy.view_datareveal",
    "privacy.view_subjectrequestevent",
]


def forwards(apps, schema_editor):
    Notice = apps.get_model("privacy", "PrivacyNotice")
    for notice in DEFAULT_NOTICES:
        Notice.objects.get_or_create(point=notice["point"], version=1, defaults=notice)
    roles.grant_permissions(apps, roles.ADMINISTRATOR, ADMIN)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial"), ("portal", "0003_roles")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        append_only_trigger("privacy_consentrecord"),
        append_only_trigger("privacy_datareveal"),
        append_only_trigger("privacy_subjectrequestevent"),
    ]
