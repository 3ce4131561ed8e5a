"""Audit records of the tip-off app are append-only: protected foreign keys, PostgreSQL triggers,
and the log of identity-right changes (readable by administrators)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from portal import roles
from portal.audit import append_only_trigger


def grant(apps, schema_editor):
    roles.grant_permissions(apps, roles.ADMINISTRATOR, ["tipoffs.view_identityrightchange"])


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0004_retention_purge_run'),
        ('tipoffs', '0004_queue_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='identityaccesslog',
            name='tipoff',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='identity_views', to='tipoffs.tipoff', verbose_name='report'),
        ),
        migrations.AlterField(
            model_name='identityaccesslog',
            name='user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='viewed by'),
        ),
        migrations.AlterField(
            model_name='tipoffevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AlterField(
            model_name='tipoffevent',
            name='department',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='portal.department', verbose_name='department'),
        ),
        migrations.AlterField(
            model_name='tipoffevent',
            name='tipoff',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='tipoffs.tipoff', verbose_name='report'),
        ),
        migrations.CreateModel(
            name='IdentityRightChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('group_name', models.CharField(blank=True, max_length=150, verbose_name='group')),
                ('permission', models.CharField(max_length=100, verbose_name='right')),
                ('change', models.CharField(choices=[('granted', 'Granted'), ('revoked', 'Revoked')], max_length=8, verbose_name='change')),
                ('via', models.CharField(choices=[('user_permission', 'Permission on the account'), ('group_membership', 'Group membership'), ('group_permission', 'Permission on the group'), ('group_deleted', 'Group deleted')], max_length=20, verbose_name='through')),
                ('actor', models.ForeignKey(blank=True, help_text='Empty when the change came from a command or the shell.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='changed by')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='account')),
            ],
            options={
                'verbose_name': 'identity right change',
                'verbose_name_plural': 'identity right changes',
                'ordering': ['-at', '-pk'],
            },
        ),
        append_only_trigger("tipoffs_identityaccesslog"),
        append_only_trigger("tipoffs_tipoffevent"),
        append_only_trigger("tipoffs_purgelog"),
        append_only_trigger("tipoffs_identityrightchange"),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
