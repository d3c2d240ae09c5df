from __future__ import annotations

from typing import Any

from apps.notifications import services
from apps.notifications.models import Notification, Urgency

# Words from the notification's own title and body that must never leave the server.
HEALTH_WORDS = ("Omalizumab", "injection", "Sam")


def notify(recipient: Any, patient: Any = None, **overrides: Any) -> Notification:
    fields: dict[str, Any] = {
        "recipient": recipient,
        "patient": patient,
        "category": "dose_overdue",
        "urgency": Urgency.NORMAL,
        "dedupe_key": "dose:occ-1:step:1",
        "source_key": "dose:occ-1",
        "title": "Omalizumab is overdue",
        "body": "Sam's omalizumab injection was due yesterday.",
        "url": "/today",
        "actions": [{"action": "log-dose", "title": "Log the dose"}],
    }
    fields.update(overrides)
    return services.notify(**fields)


def acknowledged(*, source_key: str, recipient: Any = None) -> bool:
    """Whether someone (or this recipient) acknowledged a notification about this source."""
    found = Notification.objects.filter(source_key=source_key, acknowledged_at__isnull=False)
    if recipient is not None:
        found = found.filter(recipient=recipient)
    return found.exists()
