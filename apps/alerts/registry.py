"""The kinds of planned alerts, each with its handler.

Each app that plans alerts registers one handler per outbox (apps.medications: missed-dose steps;
apps.epinephrine: pen expiry and carry checks) in its AppConfig.ready. The one claim loop
(apps.alerts.tasks) and the one zone-change hook (apps.alerts.signals) go through them; a kind's
domain rules — is this row still due, what does it say to this reader, what follows once it is
sent — stay in its app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import QuerySet

PENDING = "pending"
FIRED = "fired"
CANCELLED = "cancelled"
SKIPPED_LATE = "skipped_late"


@dataclass(frozen=True)
class Envelope:
    """How the notifications layer files a row's alert (the same for every reader)."""

    category: str
    urgency: str
    dedupe_key: str
    source_key: str


class Handler(Protocol):
    """One kind of planned alert. A row has `pk`, `status`, `fire_at`, `fired_at` and
    `recipients` (the outbox columns every kind shares)."""

    kind: str

    def outbox(self) -> QuerySet[Any]:
        """The rows of this kind (with what `check` and `render` read, select_related)."""
        ...

    def patient(self, row: Any) -> Any:
        """The patient the row is about (loaded with the row)."""
        ...

    def prepare(self, rows: Sequence[Any], now: dt.datetime) -> Any:
        """Whatever `check` needs for a whole batch, in a query or two."""
        ...

    def check(self, row: Any, context: Any, now: dt.datetime) -> str | None:
        """Is this row still due? None: send it; otherwise the status to give it instead
        (CANCELLED: no longer wanted; SKIPPED_LATE: too late to be useful)."""
        ...

    def audience(self, row: Any) -> Sequence[str]: ...

    def envelope(self, row: Any) -> Envelope: ...

    def render(self, row: Any, now: dt.datetime, *, role: str, reader_zone: str | None) -> Any:
        """The text for one reader (has title, body, url, actions), in the active language."""
        ...

    def sent(self, rows: Sequence[Any], context: Any, now: dt.datetime) -> None:
        """What follows in the same transaction once these rows were sent (a clinician flag,
        the carry check's second prompt)."""
        ...

    def replan_key(self, row: Any) -> Hashable | None:
        """After the batch commits, what to replan because of this row (None: nothing)."""
        ...

    def replan(self, key: Any, now: dt.datetime) -> None:
        """Replans `key`; called in its own transaction after the batch committed."""
        ...

    def zone_changed(self, patient: Any) -> None:
        """The patient's zone changed: move every pending row to its new wall-clock time."""
        ...


_handlers: dict[str, Handler] = {}


def register(handler: Handler) -> None:
    _handlers[handler.kind] = handler


def handlers() -> list[Handler]:
    return list(_handlers.values())


def handler(kind: str) -> Handler:
    return _handlers[kind]
