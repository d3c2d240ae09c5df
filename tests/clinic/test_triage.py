"""The stored triage (apps.clinic.triage): after any sequence of writes, and any time passing,
the stored row says what a recomputation from scratch says, and the list's SQL (urgency, flag
filter) agrees with compute_flags."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.careteam.models import Patient
from apps.clinic import tasks, triage
from apps.clinic.flags import compute_flags, urgency_score
from apps.clinic.models import PatientTriage
from apps.clinic.selectors import Evidence
from apps.diary.models import AnaphylaxisEpisode, DailyCheckIn, Symptom, SymptomEntry
from apps.epinephrine.models import AutoInjector, PenState
from apps.medications import services as medication_services
from apps.medications.models import DoseLog, MedicationAlertFlag
from tests.factories import UserFactory

from .builders import daily_diary, omalizumab, patient_of

START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
ZONES = ["Europe/Rome", "Pacific/Auckland", "America/Los_Angeles"]

# One write: (kind, days back from the moment it happens, a small number).
_write = st.tuples(
    st.sampled_from(
        [
            "symptom",
            "check_in",
            "episode",
            "delete_episode",
            "pen",
            "expire_pen",
            "dose",
            "alert",
            "clear_alert",
            "pause",
            "resume",
            "end",
            "wait",
        ]
    ),
    st.integers(min_value=0, max_value=45),
    st.integers(min_value=0, max_value=10),
)


def _apply(patient: Patient, med, kind: str, back: int, n: int, now: dt.datetime) -> None:
    at = now - dt.timedelta(days=back, hours=n)
    if kind == "symptom":
        SymptomEntry.objects.create(
            patient=patient,
            occurred_at=at,
            symptom=Symptom.objects.get(code="skin.flushing", patient=None),
            severity=n,
        )
    elif kind == "check_in":
        day = at.astimezone(patient.zone).date()
        if not DailyCheckIn.objects.filter(patient=patient, local_date=day).exists():
            DailyCheckIn.objects.create(
                patient=patient, local_date=day, overall_severity=n, quality_of_life=50
            )
    elif kind == "episode":
        AnaphylaxisEpisode.objects.create(patient=patient, onset_at=at, grade=1)
    elif kind == "delete_episode":
        episode = AnaphylaxisEpisode.objects.filter(patient=patient).first()
        if episode is not None:
            episode.delete()
    elif kind == "pen":
        AutoInjector.objects.create(
            patient=patient, dose_mg="0.3", expires_on=now.date() + dt.timedelta(days=back - 20)
        )
    elif kind == "expire_pen":
        pen = AutoInjector.objects.filter(patient=patient, state=PenState.IN_USE).first()
        if pen is not None:
            pen.state = PenState.EXPIRED
            pen.save(update_fields=["state"])
    elif kind == "dose":
        DoseLog.objects.create(patient=patient, medication=med, status="taken", taken_at=at)
        medication_services.medication_replan(medication=med, now=now)
    elif kind == "alert":
        MedicationAlertFlag.objects.bulk_create(
            [MedicationAlertFlag(patient=patient, medication=med, due_at=at, raised_at=now)],
            ignore_conflicts=True,
        )
    elif kind == "clear_alert":
        MedicationAlertFlag.objects.filter(medication=med, cleared_at__isnull=True).update(
            cleared_at=now
        )
    elif kind == "pause":
        medication_services.medication_pause(medication=med)
    elif kind == "resume" and med.paused_at is not None:
        medication_services.medication_resume(medication=med)
    elif kind == "end":
        med.end_date = now.astimezone(patient.zone).date() + dt.timedelta(days=n)
        med.save(update_fields=["end_date"])


def _check(patients: list[Patient], now: dt.datetime) -> None:
    """Stored against recomputed, and the SQL against compute_flags, at `now`."""
    urls = Evidence()
    # What the list does first: the rows time alone made stale are refreshed.
    triage.refresh_stale(Patient.objects.filter(pk__in=[p.pk for p in patients]), now)
    fresh = {p.pk: triage.gather([p], now=now)[p.pk] for p in patients}
    stored = PatientTriage.objects.in_bulk([p.pk for p in patients])
    for no_data_days in (3, 7):
        conditions = triage.flag_conditions(now, no_data_days)
        annotated = {
            p.pk: p
            for p in Patient.objects.filter(pk__in=[p.pk for p in patients]).annotate(
                urgency=triage.urgency_expression(now, no_data_days),
                **{
                    code: ExpressionWrapper(condition, output_field=BooleanField())
                    for code, condition in conditions.items()
                },
            )
        }
        for patient in patients:
            mine = compute_flags(
                triage.patient_facts(patient, stored[patient.pk].facts, now),
                now=now,
                no_data_days=no_data_days,
                urls=urls,
            )
            expected = compute_flags(
                triage.patient_facts(patient, fresh[patient.pk], now),
                now=now,
                no_data_days=no_data_days,
                urls=urls,
            )
            assert [f.as_dict() for f in mine] == [f.as_dict() for f in expected]
            assert annotated[patient.pk].urgency == urgency_score(expected)
            codes = {f.code for f in expected}
            for code in conditions:
                assert bool(getattr(annotated[patient.pk], code)) == (code in codes), (code, now)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    steps=st.lists(
        st.tuples(_write, st.integers(min_value=0, max_value=72)), min_size=1, max_size=12
    ),
)
def test_stored_triage_matches_a_recomputation(zone, steps) -> None:
    with transaction.atomic():
        clinician = UserFactory()
        with time_machine.travel(START, tick=False):
            patient = patient_of(clinician, "P", time_zone=zone)
            med = omalizumab(
                patient, dt.date(2025, 1, 1), next_dose_due_at=START - dt.timedelta(days=3)
            )
            daily_diary(
                patient,
                START.date() - dt.timedelta(days=40),
                START.date() - dt.timedelta(days=1),
                lambda d: 2 if d.day % 3 else None,
            )
        now = START
        for (kind, back, n), hours_later in steps:
            now = now + dt.timedelta(hours=hours_later)
            with time_machine.travel(now, tick=False):
                med.refresh_from_db()
                _apply(patient, med, kind, back, n, now)
            # Right after the write, and later with no write in between (time alone; what
            # the check refreshes then is rolled back: the next write comes earlier).
            for later in (0, 1, 9, 26, 40):
                with transaction.atomic():
                    _check([patient], now + dt.timedelta(days=later, hours=later))
                    transaction.set_rollback(True)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_reconciliation_logs_drift_and_repairs_it(caplog) -> None:
    with time_machine.travel(START, tick=False):
        patient = patient_of(UserFactory(), "Drift")
        AnaphylaxisEpisode.objects.create(patient=patient, onset_at=START - dt.timedelta(days=2))
        with caplog.at_level(logging.INFO, logger="apps.clinic.triage"):
            assert tasks.reconcile_triage() == {"checked": 1, "drifted": 0}
        # A write that bypassed every hook: the reconciliation finds it and repairs the row.
        AnaphylaxisEpisode.objects.filter(patient=patient).update(deleted_at=START)
        with caplog.at_level(logging.WARNING, logger="apps.clinic.triage"):
            assert tasks.reconcile_triage() == {"checked": 1, "drifted": 1}
        assert f"triage drift for patient {patient.pk}: flags" in caplog.text
        assert PatientTriage.objects.get(patient=patient).anaphylaxis_until is None
        assert tasks.reconcile_triage() == {"checked": 1, "drifted": 0}


@pytest.mark.django_db
def test_deleting_a_patient_deletes_the_row() -> None:
    with time_machine.travel(START, tick=False):
        patient = patient_of(UserFactory(), "Gone")
        AnaphylaxisEpisode.objects.create(patient=patient, onset_at=START)
        assert PatientTriage.objects.filter(patient=patient).exists()
        patient.delete()
        assert not PatientTriage.objects.exists()
