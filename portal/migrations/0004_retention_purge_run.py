"""The log of retention purge runs (append-only, with its PostgreSQL trigger), readable by administrators."""

from django.db import migrations, models

from portal import roles
from portal.audit import append_only_trigger


def grant(apps, schema_editor):
    roles.grant_permissions(apps, roles.ADMINISTRATOR, ["portal.view_retentionpurgerun"])


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0003_roles'),
    ]

    operations = [
        migrations.CreateModel(
            name='RetentionPurgeRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('started_at', models.DateTimeField(verbose_name='started at')),
                ('finished_at', models.DateTimeField(verbose_name='finished at')),
                ('counts', models.JSONField(blank=True, default=dict, verbose_name='rows touched')),
            ],
            options={
                'verbose_name': 'retention purge run',
                'verbose_name_plural': 'retention purge runs',
                'ordering': ['-finished_at', '-pk'],
            },
        ),
        append_only_trigger("portal_retentionpurgerun"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
