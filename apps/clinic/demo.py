"""Two clinical notes by the demo clinician (apps.ops.demo); fixed ids, so loading twice changes
nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.ops.demo import Demo, demo_id

from .models import ClinicalNote

NOTES = [
    (
        "alex",
        60,
        "Flushing and abdominal cramping most days despite H1/H2 blockade. Omalizumab every "
        "4 weeks discussed; baseline tryptase and KIT D816V allele burden requested.",
    ),
    (
        "leo",
        20,
        "Skin lesions stable. Parents carry two pens; school action plan reviewed.",
    ),
]


def load(demo: Demo) -> None:
    clinician = demo.users["drlind"]
    today = timezone.now().date()
    for patient_key, days_ago, text in NOTES:
        ClinicalNote.objects.get_or_create(
            id=demo_id(f"clinical-note:{patient_key}"),
            defaults={
                "patient": demo.patients[patient_key],
                "author": clinician,
                "author_label": clinician.display_name,
                "visit_date": today - dt.timedelta(days=days_ago),
                "text": text,
            },
        )
