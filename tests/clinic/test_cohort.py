"""The omalizumab cohort of the brief (seeds/002), rebuilt from diary data: 14 patients, one
excluded for concomitant cytoreductive therapy, 13 evaluable — 5 complete, 3 major, 3 partial,
2 stopped after the first dose."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.medications.models import Medication
from tests.factories import UserFactory

from .builders import daily_diary, doses, omalizumab, patient_of

BASELINE = 8
# category → severity in the treatment windows (baseline 8): 0 → complete, 2 → 75 % less
# (major), 4 → 50 % (partial); stopped patients keep 8.
PLAN = [("complete", 0)] * 5 + [("major", 2)] * 3 + [("partial", 4)] * 3 + [("stopped", 8)] * 2


def _build(clinician, start: dt.date) -> dict[str, str]:
    expected = {}
    for i, (category, level) in enumerate(PLAN):
        patient = patient_of(clinician, f"P{i:02d}")
        med = omalizumab(patient, start)
        daily_diary(
            patient,
            start - dt.timedelta(days=28),
            start + dt.timedelta(days=200),
            lambda day, level=level: BASELINE if day < start + dt.timedelta(days=14) else level,
        )
        if category == "stopped":
            doses(med, [start])
        else:
            doses(med, [start + dt.timedelta(days=28 * k) for k in range(8)])
        expected[str(patient.pk)] = category
    # The one the cohort excluded: concomitant cytoreductive therapy.
    excluded = patient_of(clinician, "Excluded")
    omalizumab(excluded, start)
    Medication.objects.create(
        patient=excluded,
        name="Midostaurin",
        drug_class="tki",
        start_date=start - dt.timedelta(days=100),
        regimen_kind="daily",
        times_of_day=["08:00"],
    )
    daily_diary(
        excluded, start - dt.timedelta(days=28), start + dt.timedelta(days=200), lambda d: 5
    )
    expected[str(excluded.pk)] = "excluded"
    # Started long ago, history begins at one dose 20 days ago (Leo of the demo): not stopped,
    # not evaluable (no diary before the start).
    recent = patient_of(clinician, "Recent")
    med = omalizumab(recent, start)
    doses(med, [timezone.now().date() - dt.timedelta(days=20)])
    expected[str(recent.pk)] = "no_baseline"
    return expected


@pytest.mark.django_db
def test_the_cohort_table_of_the_brief(world, client_for) -> None:
    start = timezone.now().date() - dt.timedelta(days=230)
    expected = _build(world.clinician, start)
    # Another clinician's patient on omalizumab never counts.
    other = patient_of(UserFactory(), "Not mine")
    omalizumab(other, start)

    answer = client_for(world.clinician).get(
        reverse("clinic-response-cohort"), {"drug": "omalizumab"}
    )
    assert answer.status_code == 200, answer.data
    body = answer.data
    assert body["drug"] == "Omalizumab"
    assert body["evaluable"] == 13
    assert body["not_evaluable"] == 2 and body["total"] == 15
    assert [(r["category"], r["count"], r["percent"]) for r in body["rows"]] == [
        ("complete", 5, 38.5),
        ("major", 3, 23.1),
        ("partial", 3, 23.1),
        ("none", 0, 0.0),
        ("stopped", 2, 15.4),
    ]
    got = {
        str(p["id"]): p["reason"] if p["classification"] == "not_evaluable" else p["classification"]
        for p in body["patients"]
    }
    assert got == expected
    stopped = next(p for p in body["patients"] if p["classification"] == "stopped")
    assert stopped["reason"] == "no_dose_within_intervals"
    assert stopped["evidence"]["doses_taken"] == 1
    assert stopped["evidence"]["burden_baseline"] == BASELINE
    # By catalogue id too.
    drug_id = Medication.objects.filter(patient__display_name="P00").get().catalogue_id
    by_id = client_for(world.clinician).get(reverse("clinic-response-cohort"), {"drug": drug_id})
    assert by_id.data["evaluable"] == 13
    # Someone who is nobody's clinician gets an empty table.
    empty = client_for(world.owner).get(reverse("clinic-response-cohort"), {"drug": "omalizumab"})
    assert empty.status_code == 200
    assert empty.data["evaluable"] == 0 and empty.data["patients"] == []


@pytest.mark.django_db
def test_one_patients_report(world, client_for) -> None:
    start = timezone.now().date() - dt.timedelta(days=230)
    patient = patient_of(world.clinician, "Partial")
    med = omalizumab(patient, start)
    daily_diary(
        patient,
        start - dt.timedelta(days=28),
        start + dt.timedelta(days=200),
        lambda day: 8 if day < start else (6 if day < start + dt.timedelta(days=140) else 4),
        qol=lambda day: 30 if day < start else 70,
    )
    daily_diary(
        patient,
        start - dt.timedelta(days=28),
        start + dt.timedelta(days=200),
        lambda day: 6,
        symptom="gi.diarrhoea",
        check_ins=False,
    )
    doses(med, [start + dt.timedelta(days=28 * k) for k in range(8)])
    url = reverse("clinic-response", kwargs={"patient_pk": patient.pk})
    body = client_for(world.clinician).get(url, {"medication": med.pk}).data
    assert body["baseline"]["overall"] == 8
    assert body["baseline"]["domains"]["skin"] == 8
    assert body["months"]["3"]["classification"] == "none"  # 8 → 6: 25 % less
    assert body["months"]["6"]["classification"] == "none"  # the GI peak of 6 stays
    assert body["months"]["6"]["domain_classification"]["skin"] == "partial"  # 8 → 4
    assert body["months"]["6"]["domain_classification"]["gastrointestinal"] == "none"
    assert body["months"]["6"]["domain_classification"]["respiratory"] is None
    assert body["months"]["6"]["qol_change"] == 40
    assert body["classification"] == "none"
    assert body["stopped"] is False
    assert "complete" in body["thresholds"]
    # Without or with a foreign medication: 400.
    assert client_for(world.clinician).get(url).status_code == 400
    foreign = client_for(world.clinician).get(url, {"medication": world.patient.pk})
    assert foreign.status_code == 400
