"""A patient's locks are taken in one order by every write, so two writes of one patient wait for
each other instead of deadlocking (PostgreSQL; SQLite runs one writer at a time)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from apps.clinic import triage
from apps.clinic.models import PatientTriage
from apps.sync.services import lock_patient_feed
from tests.factories import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_write_holding_the_feed_and_a_triage_refresh_never_deadlock(world: World) -> None:
    """Found by schemathesis: two "I used this pen" at once answered 500 (deadlock detected).
    One write held the patient's feed lock and then refreshed triage (the row lock); the other
    had locked the triage row first and then wanted the feed lock."""
    patient_id = world.patient.pk
    triage.refresh(patient_id)
    assert PatientTriage.objects.filter(patient_id=patient_id).exists()
    feed_held, row_held = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def feed_then_triage() -> None:
        try:
            with transaction.atomic():
                lock_patient_feed(patient_id)
                feed_held.set()
                row_held.wait(timeout=2)  # before the fix: until the other holds the row
                triage.refresh(patient_id)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def triage_then_feed() -> None:
        try:
            feed_held.wait(timeout=5)
            with transaction.atomic():
                triage.refresh(patient_id)  # waits here for the other's commit, after the fix
                row_held.set()
                lock_patient_feed(patient_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=feed_then_triage), threading.Thread(target=triage_then_feed)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
