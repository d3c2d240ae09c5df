"""Fill the triage row of every existing patient (apps.clinic.triage)."""

from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The current code, not historical models: the row is exactly what the writes keep (the
    # periodic reconciliation would fill any row missing too).
    from apps.clinic import triage

    triage.reconcile()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_patient_triage"),
        ("diary", "0002_catalogue"),
        ("medications", "0003_reminderstep_cycle"),
        ("epinephrine", "0002_pen_use_episode_related"),
        ("notifications", "0002_acknowledgement"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
