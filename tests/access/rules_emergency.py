"""The emergency card: everyone on the team reads it; only owners change it and hold its share
links (who can open the card without signing in is theirs to decide)."""

from __future__ import annotations

from typing import Any

from apps.emergency import services
from tests.factories import World

from .matrix import Rule, expect

owner_only = expect(owner=200, caregiver=403, clinician=403)


def _link(world: World, persona: str) -> dict[str, Any]:
    link, _ = services.link_create(patient=world.patient, by=world.owner, label="wallet")
    return {"patient_pk": world.patient.pk, "pk": link.pk}


RULES = [
    Rule("emergency-card", "GET", expect(owner=200, caregiver=200, clinician=200)),
    Rule(
        "emergency-card",
        "PATCH",
        owner_only,
        body=lambda w, p: {"action_plan": "Epinephrine into the thigh, call 112."},
    ),
    Rule("card-link-list", "GET", owner_only),
    Rule(
        "card-link-list",
        "POST",
        expect(owner=201, caregiver=403, clinician=403),
        body=lambda w, p: {"label": "wallet"},
    ),
    Rule("card-link-detail", "DELETE", expect(owner=204, caregiver=403, clinician=403), _link),
]
