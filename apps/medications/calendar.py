"""The iCalendar feed of upcoming doses, behind a secret, revocable URL.

Phone calendars cannot sign in, so the URL is the credential: 32 random bytes, stored only as a
SHA-256. It stops working when revoked, replaced, or when its owner loses access to the patient.
Events carry the medication name and time only — nothing else about the patient.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from apps.careteam.access import Capability, capabilities_of
from apps.careteam.models import Membership

from . import selectors
from .models import CalendarFeed

FEED_DAYS = 60


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def live_feed(*, patient: Any, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(patient=patient, user=user, revoked_at__isnull=True).first()


def describe(feed: CalendarFeed | None, *, url: str | None) -> dict[str, Any]:
    return {
        "active": feed is not None,
        "created_at": feed.created_at if feed else None,
        "last_fetched_at": feed.last_fetched_at if feed else None,
        "url": url,
    }


@transaction.atomic
def feed_create(*, patient: Any, user: Any) -> tuple[CalendarFeed, str]:
    feed_revoke(patient=patient, user=user)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(patient=patient, user=user, token_hash=_hash(token))
    path = reverse("medication-ical", kwargs={"token": token})
    return feed, f"{settings.SITE_URL}{path}"


def feed_revoke(*, patient: Any, user: Any) -> None:
    CalendarFeed.objects.filter(patient=patient, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _not_found() -> Http404:
    return Http404("No such calendar.")


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = (
        CalendarFeed.objects.select_related("patient")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise _not_found()
    membership = Membership.objects.active().filter(patient=feed.patient, user=feed.user).first()
    if membership is None or Capability.READ_MEDICATIONS not in capabilities_of(membership.role):
        raise _not_found()
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)

    cal = Calendar()
    cal.add("prodid", "-//Mastline//Dose schedule//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Doses")
    cal.add("x-published-ttl", "PT1H")
    for medication, due in selectors.upcoming_doses(patient=feed.patient, now=now, days=FEED_DAYS):
        event = Event()
        event.add("uid", f"{medication.pk}-{due.astimezone(UTC):%Y%m%dT%H%M%SZ}@mastline")
        event.add("summary", medication.name)
        event.add("dtstart", due.astimezone(UTC))
        event.add("dtend", due.astimezone(UTC) + timedelta(minutes=15))
        event.add("dtstamp", now.astimezone(UTC))
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="doses.ics"'
    return response
