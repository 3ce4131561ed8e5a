"""Release and export files move to the private storage (step 3 of 3): drop the binary columns."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_move_blobs_to_storage"),
    ]

    operations = [
        migrations.RemoveField(model_name="releasefile", name="content"),
        migrations.RemoveField(model_name="exportjob", name="content"),
    ]
