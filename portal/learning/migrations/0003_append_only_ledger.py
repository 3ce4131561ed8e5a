"""The points ledger is append-only: the time is set on insert (the demo writes past entries
directly), a protected foreign key and a PostgreSQL trigger."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from portal.audit import append_only_trigger


class Migration(migrations.Migration):

    dependencies = [
        ('learning', '0002_role_permissions'),
        ('portal', '0004_retention_purge_run'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ledgerentry',
            name='created_at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='subdistrict',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='portal.subdistrict', verbose_name='sub-district'),
        ),
        append_only_trigger("learning_ledgerentry"),
    ]
