"""The clinician's patient list: who appears, each flag appearing and disappearing, ordering and
filters, and a fixed number of queries per page whatever the patients have logged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.diary.models import AnaphylaxisEpisode, LabResult, Symptom, SymptomEntry
from apps.epinephrine.models import AutoInjector
from apps.medications.models import DoseLog, MedicationAlertFlag
from tests.factories import UserFactory, enable_totp

from .builders import daily_diary, doses, omalizumab, patient_of, revoke

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
URL = "/api/v1/clinic/patients/"


def _rows(client, **query):
    answer = client.get(URL, query)
    assert answer.status_code == 200, answer.data
    return answer.data["results"]


def _flags(client, patient, **query) -> set[str]:
    rows = [r for r in _rows(client, **query) if r["id"] == str(patient.pk)]
    assert rows, "the patient is not on the list"
    return {f["code"] for f in rows[0]["flags"]}


def _pens(patient, *expiries: dt.date) -> None:
    for day in expiries:
        AutoInjector.objects.create(patient=patient, dose_mg="0.3", expires_on=day)


@pytest.fixture
def clinician(db):
    return enable_totp(UserFactory(email="haem@example.org"))


class Doctor:
    """Signs in afresh (past TOTP) for every request: these tests travel weeks in time, past
    the idle timeout of a clinician's session (apps.accounts.middleware)."""

    def __init__(self, user, client_for) -> None:
        self.user, self.client_for = user, client_for

    def get(self, *args, **kwargs):
        return self.client_for(self.user).get(*args, **kwargs)


@pytest.fixture
def doctor(clinician, client_for):
    return Doctor(clinician, client_for)


def test_only_my_active_clinician_patients(world, clinician, client_for) -> None:
    assert reverse("clinic-patient-list") == URL
    mine = patient_of(clinician, "Mine")
    patient_of(UserFactory(), "Someone else's")
    doctor = client_for(clinician)
    assert [r["display_name"] for r in _rows(doctor)] == ["Mine"]
    # The world's clinician sees only Sam; the owner and caregiver (nobody's clinician) nothing.
    assert [r["display_name"] for r in _rows(client_for(world.clinician))] == ["Sam"]
    assert _rows(client_for(world.owner)) == []
    assert _rows(client_for(world.caregiver)) == []
    revoke(mine, clinician, NOW)
    assert _rows(doctor) == []
    assert client_for(None).get(URL).status_code in (401, 403)


@time_machine.travel(NOW, tick=False)
def test_recent_anaphylaxis_for_30_days(clinician, doctor) -> None:
    patient = patient_of(clinician, "Ana")
    AnaphylaxisEpisode.objects.create(
        patient=patient, onset_at=NOW - dt.timedelta(days=10), findings=["resp.wheeze"], grade=2
    )
    row = _rows(doctor)[0]
    flag = next(f for f in row["flags"] if f["code"] == "recent_anaphylaxis")
    assert flag["severity"] == "urgent"
    assert flag["evidence_url"].startswith(
        f"/api/v1/patients/{patient.pk}/anaphylaxis-episodes/?from="
    )
    evidence = doctor.get(flag["evidence_url"])
    assert evidence.status_code == 200, evidence.data
    assert evidence.data["results"][0]["grade"] == 2
    with time_machine.travel(NOW + dt.timedelta(days=19), tick=False):
        assert "recent_anaphylaxis" in _flags(doctor, patient)
    with time_machine.travel(NOW + dt.timedelta(days=21), tick=False):
        assert "recent_anaphylaxis" not in _flags(doctor, patient)


@time_machine.travel(NOW, tick=False)
def test_no_data_after_n_days(clinician, doctor) -> None:
    patient = patient_of(clinician, "Quiet")
    assert "no_data" in _flags(doctor, patient)  # never logged anything
    SymptomEntry.objects.create(
        patient=patient,
        occurred_at=NOW - dt.timedelta(hours=1),
        symptom=Symptom.objects.get(code="skin.itching"),
        severity=3,
    )
    assert "no_data" not in _flags(doctor, patient)
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        flags = _rows(doctor)[0]["flags"]
        assert [f["detail"] for f in flags if f["code"] == "no_data"] == [
            "nothing logged for 8 days"
        ]
        assert "no_data" not in _flags(doctor, patient, no_data_days=10)


@time_machine.travel(NOW, tick=False)
def test_pens_missing_counts_expired_pens(clinician, doctor) -> None:
    patient = patient_of(clinician, "Pens", time_zone="Pacific/Auckland")
    assert "pens_missing" in _flags(doctor, patient)
    _pens(patient, NOW.date() + dt.timedelta(days=5), NOW.date() + dt.timedelta(days=300))
    assert "pens_missing" not in _flags(doctor, patient)
    with time_machine.travel(NOW + dt.timedelta(days=6), tick=False):
        flags = {f["code"]: f["detail"] for f in _rows(doctor)[0]["flags"]}
        assert flags["pens_missing"] == "1 of 2 pens ready, 1 expired"


@time_machine.travel(NOW, tick=False)
def test_overdue_injection_then_relapse_window(clinician, doctor) -> None:
    patient = patient_of(clinician, "Omi")
    last = NOW - dt.timedelta(days=30)
    med = omalizumab(patient, dt.date(2025, 1, 1), next_dose_due_at=last + dt.timedelta(days=28))
    doses(med, [last.date()])
    flags = {f["code"]: f for f in _rows(doctor)[0]["flags"]}
    assert "overdue_injection" in flags and "relapse_window" not in flags
    assert flags["overdue_injection"]["detail"].startswith("Omalizumab: 2 days overdue, 30 days")
    assert flags["overdue_injection"]["evidence_url"] == (
        f"/api/v1/patients/{patient.pk}/doses/?medication={med.pk}"
    )
    assert _rows(doctor)[0]["days_since_last_injection"] == 30
    # Day 38 after the last dose (10 days past due): the relapse window of the policy.
    with time_machine.travel(last + dt.timedelta(days=38, hours=1), tick=False):
        row = _rows(doctor)[0]
        assert row["flags"][0]["code"] == "relapse_window"
        assert row["flags"][0]["severity"] == "urgent"
        assert row["days_since_last_injection"] == 38
    # A dose logged: both go.
    med.next_dose_due_at = NOW + dt.timedelta(days=28)
    med.save(update_fields=["next_dose_due_at"])
    doses(med, [NOW.date()])
    assert not {"overdue_injection", "relapse_window"} & _flags(doctor, patient)
    # An open alert flag raised by the medication's own urgent step also counts.
    MedicationAlertFlag.objects.create(
        patient=patient, medication=med, due_at=NOW - dt.timedelta(days=10), raised_at=NOW
    )
    assert "relapse_window" in _flags(doctor, patient)


@time_machine.travel(NOW, tick=False)
def test_worsening_symptoms(clinician, doctor) -> None:
    steady = patient_of(clinician, "Steady")
    worse = patient_of(clinician, "Worse")
    today = NOW.date()
    yesterday = today - dt.timedelta(days=1)
    daily_diary(steady, today - dt.timedelta(days=41), yesterday, lambda d: 3)
    daily_diary(
        worse,
        today - dt.timedelta(days=41),
        yesterday,
        lambda d: 6 if d > today - dt.timedelta(days=14) else 3,
    )
    assert "worsening_symptoms" not in _flags(doctor, steady)
    assert "worsening_symptoms" in _flags(doctor, worse)
    detail = next(
        f["detail"] for f in _rows(doctor)[0]["flags"] if f["code"] == "worsening_symptoms"
    )
    assert detail.startswith("mean daily peak severity 6.0 in the last 14 days against 3.0")
    # Two weeks later the rise is the new normal's first half: still above; six weeks later, gone.
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        # no data for 3 days: the recent mean is still 6 over 11 days
        assert "worsening_symptoms" in _flags(doctor, worse)


@time_machine.travel(NOW, tick=False)
def test_filter_order_search_and_pages(clinician, doctor) -> None:
    calm = patient_of(clinician, "Calm")
    anaph = patient_of(clinician, "Bea")
    _pens(calm, NOW.date() + dt.timedelta(days=100), NOW.date() + dt.timedelta(days=100))
    daily_diary(calm, NOW.date() - dt.timedelta(days=2), NOW.date(), lambda d: 1)
    AnaphylaxisEpisode.objects.create(patient=anaph, onset_at=NOW - dt.timedelta(days=1))
    assert [r["display_name"] for r in _rows(doctor)] == ["Bea", "Calm"]  # urgency
    assert _rows(doctor)[0]["urgency_score"] > _rows(doctor)[1]["urgency_score"]
    assert [r["display_name"] for r in _rows(doctor, ordering="name")] == ["Bea", "Calm"]
    assert _rows(doctor, ordering="last_activity")[0]["display_name"] == "Calm"
    assert [r["display_name"] for r in _rows(doctor, flag="recent_anaphylaxis")] == ["Bea"]
    assert len(_rows(doctor, flag="recent_anaphylaxis,pens_missing")) == 1
    assert len(doctor.get(URL + "?flag=recent_anaphylaxis&flag=no_data").data["results"]) == 1
    assert _rows(doctor, search="cal")[0]["display_name"] == "Calm"
    bad = doctor.get(URL, {"flag": "contagious"})
    assert bad.status_code == 400 and "flag" in bad.data["fields"]
    assert doctor.get(URL, {"ordering": "age"}).status_code == 400
    page = doctor.get(URL, {"page_size": 1, "page": 2}).data
    assert page["count"] == 2 and page["previous"] and page["next"] is None
    assert [r["display_name"] for r in page["results"]] == ["Calm"]


def _volume(clinician, patients: int, days: int) -> None:
    """`patients` patients with `days` days of diary, doses, pens, episodes and labs."""
    today = NOW.date()
    for i in range(patients):
        patient = patient_of(clinician, f"V{i}")
        med = omalizumab(patient, today - dt.timedelta(days=days), next_dose_due_at=NOW)
        doses(med, [today - dt.timedelta(days=d) for d in range(days, 0, -28)])
        daily_diary(patient, today - dt.timedelta(days=days), today, lambda d: d.day % 11)
        _pens(patient, today + dt.timedelta(days=30))
        for back in range(days, 0, -60):
            AnaphylaxisEpisode.objects.create(
                patient=patient, onset_at=NOW - dt.timedelta(days=back), grade=1
            )
            LabResult.objects.create(
                patient=patient,
                analyte="tryptase",
                value=Decimal("9.5"),
                sampled_at=NOW - dt.timedelta(days=back),
            )


@time_machine.travel(NOW, tick=False)
def test_a_page_costs_a_fixed_number_of_queries(
    clinician, doctor, django_assert_num_queries
) -> None:
    client = doctor.client_for(clinician)
    _volume(clinician, patients=2, days=10)
    _rows(client)  # the session's first request writes its idle clock; not part of the count
    with CaptureQueriesContext(connection) as small:
        assert len(_rows(client)) == 2
    DoseLog.objects.all().delete()
    _volume(clinician, patients=6, days=400)
    # The same count with three times the patients and forty times the data.
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(_rows(client, page_size=5)) == 5
    assert len(small.captured_queries) <= 12
