"""Epinephrine readiness: owners and caregivers manage pens, log a use and answer the carry
check; clinicians read pens, readiness and the carry-check history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.epinephrine import services
from apps.epinephrine.models import AutoInjector
from tests.factories import World

from .matrix import Rule, expect

reader = expect(owner=200, caregiver=200, clinician=200)
manager = expect(owner=200, caregiver=200, clinician=403)
creator = expect(owner=201, caregiver=201, clinician=403)


def _pen(world: World, persona: str) -> dict[str, Any]:
    pen = services.pen_create(
        fields={
            "patient": world.patient,
            "brand": "EpiPen",
            "dose_mg": "0.3",
            "expires_on": world.patient.local_today() + dt.timedelta(days=200),
            "created_by": world.owner,
        },
        digest="",
    )
    return {"patient_pk": world.patient.pk, "pk": pen.pk}


def _new_pen(world: World, persona: str) -> dict[str, Any]:
    expires = world.patient.local_today() + dt.timedelta(days=300)
    return {"brand": "Jext", "dose_mg": "0.3", "expires_on": expires.isoformat()}


RULES = [
    Rule("pen-list", "GET", reader),
    Rule("pen-list", "POST", creator, body=_new_pen),
    Rule("pen-detail", "GET", reader, _pen),
    Rule(
        "pen-detail",
        "PATCH",
        manager,
        _pen,
        body=lambda w, p: {"version": AutoInjector.objects.get().version, "location": "Car"},
    ),
    Rule(
        "pen-detail",
        "DELETE",
        expect(owner=204, caregiver=204, clinician=403),
        _pen,
        body=lambda w, p: {"version": 1},
    ),
    Rule("pen-readiness", "GET", reader),
    Rule("pen-use", "POST", creator, _pen, body=lambda w, p: {"note": "bee sting"}),
    Rule("carry-check-list", "GET", reader),
    Rule("carry-check-answer", "POST", creator, body=lambda w, p: {"pens_with_me": 2}),
    Rule("carry-check-settings", "GET", reader),
    Rule(
        "carry-check-settings",
        "PUT",
        manager,
        body=lambda w, p: {"local_time": "08:00", "again_after_minutes": 120},
    ),
]
