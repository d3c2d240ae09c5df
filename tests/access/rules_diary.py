"""The diary: owners and caregivers write it, clinicians read it; everyone on the team writes
lab results."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.diary.models import (
    AnaphylaxisEpisode,
    DailyCheckIn,
    LabResult,
    Symptom,
    SymptomEntry,
    Trigger,
    TriggerExposure,
)
from tests.factories import World

from .matrix import Rule, expect

diary_reader = expect(owner=200, caregiver=200, clinician=200)
diary_creator = expect(owner=201, caregiver=201, clinician=403)
diary_editor = expect(owner=200, caregiver=200, clinician=403)
diary_deleter = expect(owner=204, caregiver=204, clinician=403)


def _earlier() -> str:
    return (timezone.now() - dt.timedelta(hours=1)).isoformat()


def _detail(record: Any) -> dict[str, Any]:
    return {"patient_pk": record.patient_id, "pk": record.pk}


def _custom_symptom(world: World, persona: str) -> dict[str, Any]:
    return _detail(
        Symptom.objects.create(
            patient=world.patient, code="custom.cat_hair", name="Cat hair rash", domain="skin"
        )
    )


def _custom_trigger(world: World, persona: str) -> dict[str, Any]:
    return _detail(
        Trigger.objects.create(
            patient=world.patient, code="custom.cat", name="Cats", category="environment"
        )
    )


def _symptom_entry(world: World, persona: str) -> dict[str, Any]:
    return _detail(
        SymptomEntry.objects.create(
            patient=world.patient,
            occurred_at=timezone.now(),
            symptom=Symptom.objects.get(code="skin.flushing"),
            severity=4,
        )
    )


def _check_in(world: World, persona: str) -> dict[str, Any]:
    return _detail(
        DailyCheckIn.objects.create(
            patient=world.patient,
            local_date=dt.date(2025, 1, 1),
            overall_severity=3,
            quality_of_life=70,
        )
    )


def _exposure(world: World, persona: str) -> dict[str, Any]:
    return _detail(
        TriggerExposure.objects.create(
            patient=world.patient,
            occurred_at=timezone.now(),
            trigger=Trigger.objects.get(code="trigger.temperature.heat"),
        )
    )


def _episode(world: World, persona: str) -> dict[str, Any]:
    return _detail(
        AnaphylaxisEpisode.objects.create(
            patient=world.patient, onset_at=timezone.now(), findings=["skin.urticaria"], grade=1
        )
    )


def _lab(world: World, persona: str) -> dict[str, Any]:
    return _detail(
        LabResult.objects.create(
            patient=world.patient,
            analyte="tryptase",
            value=Decimal("11.5"),
            sampled_at=timezone.now(),
            is_baseline=True,
        )
    )


def _version(**fields: Any) -> Any:
    # Deletes send the version too: without a body, the matrix's client would send "None".
    return lambda w, p: {"version": 1, **fields}


RULES = [
    # --- catalogues -------------------------------------------------------------------------
    Rule("catalogue-symptom-list", "GET", diary_reader),
    Rule(
        "catalogue-symptom-list",
        "POST",
        diary_creator,
        body=lambda w, p: {"name": "Cat hair rash", "domain": "skin"},
    ),
    Rule("catalogue-symptom-detail", "GET", diary_reader, _custom_symptom),
    Rule(
        "catalogue-symptom-detail",
        "PATCH",
        diary_editor,
        _custom_symptom,
        body=_version(name="Rash from cats"),
    ),
    Rule("catalogue-symptom-detail", "DELETE", diary_deleter, _custom_symptom, body=_version()),
    Rule("catalogue-trigger-list", "GET", diary_reader),
    Rule(
        "catalogue-trigger-list",
        "POST",
        diary_creator,
        body=lambda w, p: {"name": "Cats", "category": "environment"},
    ),
    Rule("catalogue-trigger-detail", "GET", diary_reader, _custom_trigger),
    Rule(
        "catalogue-trigger-detail",
        "PATCH",
        diary_editor,
        _custom_trigger,
        body=_version(name="The neighbour's cats"),
    ),
    Rule("catalogue-trigger-detail", "DELETE", diary_deleter, _custom_trigger, body=_version()),
    # --- symptom entries --------------------------------------------------------------------
    Rule("symptom-entry-list", "GET", diary_reader),
    Rule(
        "symptom-entry-list",
        "POST",
        diary_creator,
        body=lambda w, p: {"symptom": "skin.flushing", "severity": 5, "occurred_at": _earlier()},
    ),
    Rule("symptom-entry-detail", "GET", diary_reader, _symptom_entry),
    Rule("symptom-entry-detail", "PATCH", diary_editor, _symptom_entry, body=_version(severity=6)),
    Rule("symptom-entry-detail", "DELETE", diary_deleter, _symptom_entry, body=_version()),
    # --- daily check-ins --------------------------------------------------------------------
    Rule("check-in-list", "GET", diary_reader),
    Rule(
        "check-in-list",
        "POST",
        diary_creator,
        body=lambda w, p: {
            "local_date": "2025-02-01",
            "overall_severity": 2,
            "quality_of_life": 80,
        },
    ),
    Rule("check-in-detail", "GET", diary_reader, _check_in),
    Rule("check-in-detail", "PATCH", diary_editor, _check_in, body=_version(quality_of_life=60)),
    Rule("check-in-detail", "DELETE", diary_deleter, _check_in, body=_version()),
    # --- trigger exposures ------------------------------------------------------------------
    Rule("trigger-exposure-list", "GET", diary_reader),
    Rule(
        "trigger-exposure-list",
        "POST",
        diary_creator,
        body=lambda w, p: {
            "trigger": "trigger.food.spicy",
            "detail": "chilli",
            "occurred_at": _earlier(),
        },
    ),
    Rule("trigger-exposure-detail", "GET", diary_reader, _exposure),
    Rule(
        "trigger-exposure-detail", "PATCH", diary_editor, _exposure, body=_version(detail="sauna")
    ),
    Rule("trigger-exposure-detail", "DELETE", diary_deleter, _exposure, body=_version()),
    # --- anaphylaxis episodes ---------------------------------------------------------------
    Rule("anaphylaxis-episode-list", "GET", diary_reader),
    Rule(
        "anaphylaxis-episode-list",
        "POST",
        diary_creator,
        body=lambda w, p: {
            "onset_at": _earlier(),
            "findings": ["skin.urticaria", "resp.wheeze"],
            "epinephrine_doses": 1,
        },
    ),
    Rule("anaphylaxis-episode-detail", "GET", diary_reader, _episode),
    Rule(
        "anaphylaxis-episode-detail",
        "PATCH",
        diary_editor,
        _episode,
        body=_version(emergency_visit=True),
    ),
    Rule("anaphylaxis-episode-detail", "DELETE", diary_deleter, _episode, body=_version()),
    # --- lab results: clinicians write them too ---------------------------------------------
    Rule("lab-result-list", "GET", diary_reader),
    Rule(
        "lab-result-list",
        "POST",
        expect(owner=201, caregiver=201, clinician=201),
        body=lambda w, p: {"analyte": "tryptase", "value": "24.1", "sampled_at": _earlier()},
    ),
    Rule("lab-result-detail", "GET", diary_reader, _lab),
    Rule(
        "lab-result-detail",
        "PATCH",
        expect(owner=200, caregiver=200, clinician=200),
        _lab,
        body=_version(note="fasting"),
    ),
    Rule(
        "lab-result-detail",
        "DELETE",
        expect(owner=204, caregiver=204, clinician=204),
        _lab,
        body=_version(),
    ),
    # --- reading back -----------------------------------------------------------------------
    Rule("diary-timeline", "GET", diary_reader),
    Rule("diary-insights", "GET", diary_reader),
]
