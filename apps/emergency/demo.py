"""Leo's emergency card for `make run` (idempotent). No share link: its URL is shown once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import services
from .models import EmergencyCard

if TYPE_CHECKING:
    from apps.ops.demo import Demo


def load(demo: Demo) -> None:
    leo = demo.patients["leo"]
    if EmergencyCard.objects.filter(patient=leo).exists():
        return
    services.card_update(
        patient=leo,
        by=demo.users["maria"],
        fields={
            "diagnosis_note": "Cutaneous mastocytosis (urticaria pigmentosa) since age 2.",
            "action_plan": (
                "Signs of anaphylaxis (wheeze, swelling, fainting, widespread hives): give "
                "EpiPen Jr 0.15 mg into the outer thigh at once, call 911, lie him down with "
                "legs raised. A second pen after 5–15 minutes if no better. Then cetirizine."
            ),
            "drug_intolerances": ["NSAIDs (ibuprofen)", "Codeine"],
            "extra_triggers": ["Hot baths", "Rubbing the skin"],
        },
    )
