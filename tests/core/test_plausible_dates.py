"""Every date or time the API accepts falls in a plausible range (apps.core.validators), and
what is already stored never breaks a read (issue 13, finding 5)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from apps.careteam.models import Patient
from apps.medications.models import Medication
from tests.factories import World

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
YEAR_ONE = "0001-01-01T00:00:00Z"
YEAR_ONE_DAY = "0001-01-01"
FAR_FUTURE = "9999-12-31"


def _medication(world: World) -> Medication:
    return Medication.objects.create(
        patient=world.patient,
        name="Cetirizine",
        start_date=dt.date(2025, 1, 1),
        regimen_kind="daily",
        times_of_day=["08:00"],
    )


def _cases() -> list[tuple[str, str, Any, str]]:
    """(path under the patient, method, body or body maker, the field that must be named)."""
    return [
        (
            "lab-results/",
            "post",
            {"analyte": "tryptase", "value": "24.1", "sampled_at": YEAR_ONE},
            "sampled_at",
        ),
        (
            "symptom-entries/",
            "post",
            {"symptom": "skin.flushing", "severity": 5, "occurred_at": YEAR_ONE},
            "occurred_at",
        ),
        (
            "check-ins/",
            "post",
            {"local_date": YEAR_ONE_DAY, "overall_severity": 2, "quality_of_life": 80},
            "local_date",
        ),
        (
            "trigger-exposures/",
            "post",
            {"trigger": "trigger.food.spicy", "occurred_at": YEAR_ONE},
            "occurred_at",
        ),
        (
            "anaphylaxis-episodes/",
            "post",
            {"onset_at": YEAR_ONE, "findings": ["skin.urticaria"], "epinephrine_doses": 0},
            "onset_at",
        ),
        (
            "pens/",
            "post",
            {"brand": "Jext", "dose_mg": "0.3", "expires_on": FAR_FUTURE},
            "expires_on",
        ),
        (
            "medications/",
            "post",
            {
                "name": "Cetirizine",
                "start_date": YEAR_ONE_DAY,
                "regimen_kind": "daily",
                "times_of_day": ["08:00"],
            },
            "start_date",
        ),
        (
            "medications/",
            "post",
            {
                "name": "Cetirizine",
                "start_date": "2026-01-01",
                "end_date": FAR_FUTURE,
                "regimen_kind": "daily",
                "times_of_day": ["08:00"],
            },
            "end_date",
        ),
        (
            "doses/",
            "post",
            lambda w: {"medication": str(_medication(w).pk), "taken_at": YEAR_ONE},
            "taken_at",
        ),
        (
            "emergency-card/links/",
            "post",
            {"label": "wallet", "expires_at": "9999-12-31T00:00:00Z"},
            "expires_at",
        ),
        ("", "patch", {"date_of_birth": "1800-05-01"}, "date_of_birth"),
        ("", "patch", {"date_of_birth": "2026-03-11"}, "date_of_birth"),
    ]


@pytest.mark.parametrize(
    ("path", "method", "body", "field"), _cases(), ids=lambda v: v if isinstance(v, str) else None
)
def test_an_implausible_date_is_a_400_naming_the_field(
    world: World, client_for, path: str, method: str, body: Any, field: str
) -> None:
    client: APIClient = client_for(world.owner)
    with time_machine.travel(NOW, tick=False):
        payload = body(world) if callable(body) else body
        url = f"/api/v1/patients/{world.patient.pk}/{path}"
        response = getattr(client, method)(url, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()


def test_a_clinical_note_in_year_one_is_refused(world: World, client_for) -> None:
    client: APIClient = client_for(world.clinician)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            f"/api/v1/patients/{world.patient.pk}/clinical-notes/",
            {"visit_date": YEAR_ONE_DAY, "text": "x"},
            format="json",
        )
    assert response.status_code == 400 and "visit_date" in response.json()["fields"]


def test_a_diary_event_before_the_patients_birth_is_refused(world: World, client_for) -> None:
    Patient.objects.filter(pk=world.patient.pk).update(date_of_birth=dt.date(2015, 6, 1))
    client: APIClient = client_for(world.owner)
    with time_machine.travel(NOW, tick=False):
        before = client.post(
            f"/api/v1/patients/{world.patient.pk}/symptom-entries/",
            {"symptom": "skin.flushing", "severity": 5, "occurred_at": "2015-05-31T12:00:00Z"},
            format="json",
        )
        after = client.post(
            f"/api/v1/patients/{world.patient.pk}/symptom-entries/",
            {"symptom": "skin.flushing", "severity": 5, "occurred_at": "2015-06-02T12:00:00Z"},
            format="json",
        )
    assert before.status_code == 400 and "2015-06-01" in before.json()["fields"]["occurred_at"][0]
    assert after.status_code == 201


# --- what is already stored never breaks a read ---------------------------------------------------


def _store_implausible_rows(world: World, zone: str) -> None:
    """Rows from before the validators (or written around them): year 1 and year 9999."""
    from apps.diary.models import DailyCheckIn, LabResult, Symptom, SymptomEntry

    Patient.objects.filter(pk=world.patient.pk).update(time_zone=zone)
    world.patient.refresh_from_db()
    year_one = dt.datetime(1, 1, 1, tzinfo=dt.UTC)
    far = dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC)
    for moment in (year_one, far):
        LabResult.objects.create(
            patient=world.patient,
            analyte="tryptase",
            value="24.1",
            sampled_at=moment,
            is_baseline=True,
        )
        SymptomEntry.objects.create(
            patient=world.patient,
            occurred_at=moment,
            symptom=Symptom.objects.get(code="skin.flushing"),
            severity=3,
        )
    DailyCheckIn.objects.create(
        patient=world.patient, local_date=dt.date(1, 1, 1), overall_severity=1, quality_of_life=50
    )
    DailyCheckIn.objects.create(
        patient=world.patient,
        local_date=dt.date(9999, 12, 31),
        overall_severity=1,
        quality_of_life=50,
    )


def _patient_reads(world: World) -> list[str]:
    base = f"/api/v1/patients/{world.patient.pk}/"
    return [
        base + "emergency-card",
        base + "timeline",
        base + "insights",
        base + "lab-results/",
        base + "symptom-entries/",
        base + "check-ins/",
        base + "medications/schedule/",
        base + "export/fhir",
        base + "export/symptoms.csv",
        base + "export/labs.csv",
        base + "export/check-ins.csv",
        base + "clinic/overview",
        base + "clinic/response",
    ]


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_stored_implausible_dates_never_make_a_read_fail(
    world: World, client_for, zone: str
) -> None:
    from apps.emergency import services as emergency_services

    _store_implausible_rows(world, zone)
    _link, token = emergency_services.link_create(patient=world.patient, by=world.owner, label="w")
    failures = []
    with time_machine.travel(NOW, tick=False):
        for who in (world.owner, world.clinician):
            client: APIClient = client_for(who)
            client.raise_request_exception = False
            for url in _patient_reads(world):
                status = client.get(url).status_code
                if status >= 500:
                    failures.append((who.display_name, url, status))
        public = APIClient()
        public.raise_request_exception = False
        status = public.get(f"/card/{token}").status_code
        if status >= 500:
            failures.append(("anyone", "/card/<token>", status))
        clinic = client_for(world.clinician)
        clinic.raise_request_exception = False
        for url in ("/api/v1/clinic/patients/", "/api/v1/patients/"):
            status = clinic.get(url).status_code
            if status >= 500:
                failures.append(("clinician", url, status))
    assert failures == [], "\n".join(" ".join(map(str, f)) for f in failures)


# --- property: any date in, every view out, never a 500 -------------------------------------------

ZONES = ["America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Tokyo", "UTC"]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    moment=st.datetimes(
        min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001 - hypothesis bounds are naive
        timezones=st.just(dt.UTC),
    )
    | st.datetimes(
        min_value=dt.datetime(1899, 12, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=dt.datetime(2026, 3, 12),  # noqa: DTZ001 - hypothesis bounds are naive
        timezones=st.just(dt.UTC),
    ),
    zone=st.sampled_from(ZONES),
)
def test_any_date_written_is_refused_or_read_back_by_every_view(
    world: World, client_for, moment: dt.datetime, zone: str
) -> None:
    """Writes a random date or time (plausible or far out) into every date-bearing record, then
    reads every view of the patient: a 400 for the implausible ones, never a 500 anywhere."""
    from apps.emergency import services as emergency_services

    Patient.objects.filter(pk=world.patient.pk).update(time_zone=zone)
    base = f"/api/v1/patients/{world.patient.pk}/"
    at, day = moment.isoformat().replace("+00:00", "Z"), moment.date().isoformat()
    writes = [
        (
            "lab-results/",
            {"analyte": "tryptase", "value": "20", "sampled_at": at, "is_baseline": True},
        ),
        ("symptom-entries/", {"symptom": "skin.flushing", "severity": 4, "occurred_at": at}),
        ("check-ins/", {"local_date": day, "overall_severity": 2, "quality_of_life": 70}),
        ("trigger-exposures/", {"trigger": "trigger.food.spicy", "occurred_at": at}),
        (
            "anaphylaxis-episodes/",
            {"onset_at": at, "findings": ["skin.urticaria"], "epinephrine_doses": 0},
        ),
        ("pens/", {"brand": "Jext", "dose_mg": "0.3", "expires_on": day}),
        (
            "medications/",
            {
                "name": "Cetirizine",
                "start_date": day,
                "regimen_kind": "daily",
                "times_of_day": ["08:00"],
            },
        ),
    ]
    failures = []
    with time_machine.travel(NOW, tick=False):
        owner: APIClient = client_for(world.owner)
        owner.raise_request_exception = False
        for path, body in writes:
            status = owner.post(base + path, body, format="json").status_code
            if status not in (200, 201, 400, 409):
                failures.append(("POST", path, status))
        _, token = emergency_services.link_create(patient=world.patient, by=world.owner)
        doctor: APIClient = client_for(world.clinician)
        doctor.raise_request_exception = False
        for url in _patient_reads(world):
            status = doctor.get(url).status_code
            if status >= 500:
                failures.append(("GET", url, status))
        public = APIClient()
        public.raise_request_exception = False
        if (status := public.get(f"/card/{token}").status_code) >= 500:
            failures.append(("GET", "/card/<token>", status))
    assert failures == [], failures
