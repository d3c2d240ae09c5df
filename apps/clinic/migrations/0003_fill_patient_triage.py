"""Fill the triage row of every existing patient (apps.clinic.triage)."""

from django.db import migrations


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    # The current code, not historical models: the row is exactly what the writes keep (the
    # periodic reconciliation would fill any row missing too).
    from apps.careteam.models import Patient
    from apps.clinic import triage

    ids = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), triage.BATCH):
        triage.refresh_many(Patient.objects.filter(pk__in=ids[i : i + triage.BATCH]))


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_patient_triage"),
        ("diary", "0002_catalogue"),
        ("medications", "0003_reminderstep_cycle"),
        ("epinephrine", "0002_pen_use_episode_related"),
        ("notifications", "0002_acknowledgement"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
