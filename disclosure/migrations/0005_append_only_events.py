"""Request events are append-only: protected foreign keys and a PostgreSQL trigger."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from portal.audit import append_only_trigger


class Migration(migrations.Migration):

    dependencies = [
        ('disclosure', '0004_plan_and_report_year_range'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='disclosurerequestevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='disclosurerequestevent',
            name='request',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='disclosure.disclosurerequest'),
        ),
        append_only_trigger("disclosure_disclosurerequestevent"),
    ]
