"""The carry check's "Yes, 2 pens" button, performed on the server
(POST /api/v1/notifications/{id}/actions/have-pens; see apps.notifications.actions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext
from rest_framework.exceptions import ValidationError

from apps.careteam.access import Capability
from apps.notifications.actions import register_action, require_capability

from . import services
from .models import PENS_NEEDED


def _carry_day(source_key: str) -> dt.date:
    # carry:<patient_id>:<YYYY-MM-DD> (models.carry_source_key)
    kind, _, rest = source_key.partition(":")
    _, _, day = rest.rpartition(":")
    if kind != "carry":
        raise ValidationError({"action": [gettext("This notification is not a carry check.")]})
    return dt.date.fromisoformat(day)


def have_pens(notification: Any, user: Any) -> dict[str, Any]:
    membership = require_capability(notification, user, Capability.MANAGE_EPINEPHRINE)
    check, _ = services.carry_check_answer(
        patient=membership.patient,
        local_date=_carry_day(notification.source_key),
        pens_with_me=PENS_NEEDED,
        by=user,
    )
    return {
        "carry_check": {"date": check.local_date.isoformat(), "pens_with_me": check.pens_with_me}
    }


def register() -> None:
    register_action(
        "have-pens",
        have_pens,
        resolves=True,
        needs=Capability.MANAGE_EPINEPHRINE,
        audited_as=("create", "carry-check"),
    )
    # Opens the carry check in the app.
    register_action("answer", None, resolves=False, needs=Capability.MANAGE_EPINEPHRINE)
