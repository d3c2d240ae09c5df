"""Writes of the emergency card and its share links."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.careteam.models import Patient

from .models import CardShareLink, EmergencyCard


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def card_update(*, patient: Patient, by: Any, fields: dict[str, Any]) -> EmergencyCard:
    card, _ = EmergencyCard.objects.select_for_update().get_or_create(patient=patient)
    for name, value in fields.items():
        setattr(card, name, value)
    card.updated_by = by
    card.save()
    return card


def link_create(
    *, patient: Patient, by: Any, label: str = "", expires_at: dt.datetime | None = None
) -> tuple[CardShareLink, str]:
    """A new link; the raw token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    link = CardShareLink.objects.create(
        patient=patient,
        label=label,
        token_hash=hash_token(token),
        expires_at=expires_at,
        created_by=by,
    )
    return link, token


def link_revoke(*, link: CardShareLink) -> None:
    CardShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def live_link(token: str) -> CardShareLink | None:
    """The link a token opens, if it still works. Always hashes and looks up, whatever the
    token looks like, so an unknown, revoked or expired token take the same path."""
    now = timezone.now()
    link = (
        CardShareLink.objects.select_related("patient").filter(token_hash=hash_token(token)).first()
    )
    if link is None or link.revoked_at is not None:
        return None
    if link.expires_at is not None and link.expires_at <= now:
        return None
    return link


def link_viewed(*, link: CardShareLink) -> None:
    CardShareLink.objects.filter(pk=link.pk).update(
        views=F("views") + 1, last_viewed_at=timezone.now()
    )
