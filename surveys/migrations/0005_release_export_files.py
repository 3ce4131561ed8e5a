"""Release and export files move from binary columns to the private storage (step 1 of 3):
add the file fields (and let the release blob column be empty, so that 0007 can be reversed
on a table with rows). 0006 copies each blob into the storage, 0007 drops the binary columns."""

from django.db import migrations, models

import portal.storage


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_export_jobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="releasefile",
            name="content",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="releasefile",
            name="file",
            field=models.FileField(
                default="",
                max_length=255,
                storage=portal.storage.PrivateStorage(),
                upload_to="",
                verbose_name="file",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exportjob",
            name="file",
            field=models.FileField(
                blank=True,
                max_length=255,
                storage=portal.storage.PrivateStorage(),
                upload_to="",
                verbose_name="file",
            ),
        ),
    ]
