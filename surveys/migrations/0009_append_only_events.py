"""The fieldwork log is append-only: protected foreign keys and a PostgreSQL trigger."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from portal.audit import append_only_trigger


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0008_release_presentation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='surveyevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='surveyevent',
            name='survey',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='surveys.survey'),
        ),
        append_only_trigger("surveys_surveyevent"),
    ]
