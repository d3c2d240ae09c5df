"""The stored per-day summary insights read (apps.diary.days), built for the diaries already
there."""

import django.db.models.deletion
from django.db import migrations, models


def build_days(apps, schema_editor):
    # The live rule (apps.diary.days.compute), not a copy of it frozen here: a second rule could
    # disagree with the one the writes apply. A database without patients (a new installation,
    # the tests) never runs it, so a later change to the records' models cannot break it there;
    # an upgrade that skips past this migration would be caught by the daily reconciliation.
    Patient = apps.get_model("careteam", "Patient")
    if not Patient.objects.exists():
        return
    from apps.careteam.models import Patient as LivePatient
    from apps.diary import days

    for patient in LivePatient.objects.iterator():
        days.rebuild(patient)


class Migration(migrations.Migration):
    dependencies = [
        ("careteam", "0001_initial"),
        ("diary", "0002_catalogue"),
    ]

    operations = [
        migrations.CreateModel(
            name="DiaryDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("local_date", models.DateField()),
                ("checked_in", models.BooleanField(default=False)),
                ("peaks", models.JSONField(default=dict)),
                ("severities", models.JSONField(default=dict)),
                ("episode_onsets", models.JSONField(default=list)),
                ("exposures", models.JSONField(default=list)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="careteam.patient",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("patient", "local_date"), name="one_diary_day")
                ],
            },
        ),
        migrations.RunPython(build_days, migrations.RunPython.noop),
    ]
