"""A few weeks of plausible diary for the demo patients (apps.ops.demo): Alex, an adult with
indolent SM whose flushes tend to follow heat, and Leo, a child with cutaneous mastocytosis.
Fixed ids, so loading twice changes nothing."""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.ops.demo import Demo, demo_id
from apps.sync import services as sync_services

from . import services
from .models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabResult,
    Symptom,
    SymptomEntry,
    Trigger,
    TriggerExposure,
)

DAYS = 28


def _create(model: type[Any], kind: str, name: str, **fields: Any) -> Any:
    pk = demo_id(name)
    existing = model.objects.filter(pk=pk).first()
    if existing is not None:
        return existing
    return sync_services.synced_create(kind=kind, model=model, fields={"id": pk, **fields})


def _diary(demo: Demo, key: str, by: str, symptoms: list[str], heat_flares: bool) -> None:
    patient = demo.patients[key]
    user = demo.users[by]
    zone = zoneinfo.ZoneInfo(patient.time_zone)
    rng = random.Random(key)  # the same "random" diary every time
    catalogue = {s.code: s for s in Symptom.objects.filter(code__in=symptoms, patient=None)}
    heat = Trigger.objects.get(code="trigger.temperature.heat", patient=None)
    food = Trigger.objects.get(code="trigger.food.histamine_rich", patient=None)
    today = timezone.now().astimezone(zone).date()
    for back in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=zone)
        worst = 0
        if rng.random() < 0.3:
            exposure_at = noon + dt.timedelta(hours=rng.randint(-3, 3))
            _create(TriggerExposure, "trigger_exposure", f"diary:{key}:{day}:heat",
                    patient=patient, occurred_at=exposure_at, trigger=heat,
                    detail="hot shower", created_by=user)  # fmt: skip
            if heat_flares:
                worst = rng.randint(6, 9)
                _create(SymptomEntry, "symptom", f"diary:{key}:{day}:heat-flush",
                        patient=patient, occurred_at=exposure_at + dt.timedelta(hours=1),
                        symptom=catalogue[symptoms[0]], severity=worst, duration_minutes=40,
                        body_areas=["face", "chest"], created_by=user)  # fmt: skip
        if rng.random() < 0.2:
            _create(TriggerExposure, "trigger_exposure", f"diary:{key}:{day}:food",
                    patient=patient, occurred_at=noon + dt.timedelta(hours=7), trigger=food,
                    detail="aged cheese", created_by=user)  # fmt: skip
        for i, code in enumerate(symptoms):
            if rng.random() < 0.5:
                severity = rng.randint(1, 5)
                worst = max(worst, severity)
                _create(SymptomEntry, "symptom", f"diary:{key}:{day}:{code}",
                        patient=patient, occurred_at=noon + dt.timedelta(hours=2 * i - 3),
                        symptom=catalogue[code], severity=severity, created_by=user)  # fmt: skip
        _create(DailyCheckIn, "check_in", f"diary:{key}:{day}:check-in",
                patient=patient, local_date=day, overall_severity=worst,
                quality_of_life=max(20, 90 - 7 * worst + rng.randint(-5, 5)),
                created_by=user)  # fmt: skip


def load(demo: Demo) -> None:
    _diary(
        demo,
        "alex",
        "alex",
        ["skin.flushing", "gi.diarrhoea", "neuro.headache", "const.fatigue"],
        True,
    )
    _diary(
        demo, "leo", "maria", ["skin.itching", "skin.lesion_swelling", "gi.abdominal_pain"], False
    )

    # Alex: one anaphylaxis after a wasp sting, with the tryptase drawn at the emergency room.
    alex = demo.patients["alex"]
    zone = zoneinfo.ZoneInfo(alex.time_zone)
    onset = dt.datetime.combine(
        timezone.now().astimezone(zone).date() - dt.timedelta(days=12), dt.time(16, 20), tzinfo=zone
    )
    sting = _create(TriggerExposure, "trigger_exposure", "diary:alex:sting",
                    patient=alex, occurred_at=onset - dt.timedelta(minutes=10),
                    trigger=Trigger.objects.get(code="trigger.sting.wasp", patient=None),
                    detail="garden", created_by=demo.users["alex"])  # fmt: skip
    if not AnaphylaxisEpisode.objects.filter(pk=demo_id("diary:alex:episode")).exists():
        services.episode_create(
            fields={
                "id": demo_id("diary:alex:episode"),
                "patient": alex,
                "onset_at": onset,
                "findings": ["skin.urticaria", "resp.wheeze", "cv.presyncope"],
                "epinephrine_doses": 1,
                "emergency_visit": True,
                "suspected_exposures": [sting],
                "created_by": demo.users["alex"],
            },
            digest="",
        )
    for name, value, sampled_at, episode, baseline in [
        ("baseline", "11.2", onset - dt.timedelta(days=150), None, True),
        ("acute", "19.8", onset + dt.timedelta(hours=2), demo_id("diary:alex:episode"), False),
    ]:
        if not LabResult.objects.filter(pk=demo_id(f"diary:alex:tryptase:{name}")).exists():
            services.lab_create(
                fields={
                    "id": demo_id(f"diary:alex:tryptase:{name}"),
                    "patient": alex,
                    "analyte": "tryptase",
                    "value": Decimal(value),
                    "sampled_at": sampled_at,
                    "episode_id": episode,
                    "is_baseline": baseline,
                    "created_by": demo.users["drlind"],
                },
                digest="",
            )
