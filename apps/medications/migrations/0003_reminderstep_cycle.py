"""Steps are identified by (medication, cycle, name) instead of (medication, due_at, name).

Existing rows get `legacy-<due_at>`; services.medication_replan adopts those of an open
occurrence into its cycle the first time it replans, so nothing already sent is sent again."""

from datetime import UTC

from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    step_model = apps.get_model("medications", "ReminderStep")
    rows = list(step_model.objects.only("id", "due_at"))
    for row in rows:
        row.cycle = f"legacy-{row.due_at.astimezone(UTC).isoformat()}"
    step_model.objects.bulk_update(rows, ["cycle"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("medications", "0002_catalogue")]

    operations = [
        migrations.AddField(
            model_name="reminderstep",
            name="cycle",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="reminderstep", name="one_step_per_occurrence_and_name"
        ),
        migrations.AddConstraint(
            model_name="reminderstep",
            constraint=models.UniqueConstraint(
                fields=("medication", "cycle", "name"), name="one_step_per_cycle_and_name"
            ),
        ),
    ]
