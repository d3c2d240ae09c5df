"""Demo inbox items for `make run`. Fixed dedupe keys: loading twice adds nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import services
from .models import Delivery, DeliveryStatus, Urgency

if TYPE_CHECKING:
    from apps.ops.demo import Demo


def load(demo: Demo) -> None:
    alex, maria = demo.users["alex"], demo.users["maria"]
    carry_check = services.notify(
        recipient=alex,
        patient=demo.patients["alex"],
        category="carry_check",
        urgency=Urgency.NORMAL,
        dedupe_key="demo:carry-check",
        source_key="demo:carry-check",
        title="Carry check",
        body="Do you have both epinephrine auto-injectors with you today?",
        url="/today",
    )
    reminder = services.notify(
        recipient=maria,
        patient=demo.patients["leo"],
        category="dose_reminder",
        urgency=Urgency.HIGH,
        dedupe_key="demo:leo-omalizumab-reminder",
        source_key="demo:leo-omalizumab",
        title="Leo's omalizumab is due in 2 days",
        body="The next injection is due 4 weeks after the last one given.",
        url="/today",
    )
    # Inbox only: a demo must not email or push anybody.
    Delivery.objects.filter(
        notification__in=[carry_check, reminder], status=DeliveryStatus.PENDING
    ).update(status=DeliveryStatus.CANCELLED)
