"""The medications API as a phone uses it: bad input, dose logging rules, offline replays,
recomputing what is due, the schedule view, and fixed query counts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.medications import services
from apps.medications.models import DoseLog, ReminderStep, StepStatus
from tests.factories import World

from .helpers import daily, local, log_dose, omalizumab

ZONE = "Europe/Rome"


def meds_url(world: World, *, name: str = "medication-list", **kwargs: Any) -> str:
    return reverse(name, kwargs={"patient_pk": world.patient.pk, **kwargs})


def doses_url(world: World) -> str:
    return reverse("dose-list", kwargs={"patient_pk": world.patient.pk})


def _medication_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Omalizumab",
        "route": "subcutaneous",
        "start_date": "2025-01-01",
        "regimen_kind": "interval",
        "interval": 4,
        "interval_unit": "weeks",
        "interval_anchor": "last_dose",
        "times_of_day": ["09:00"],
        **overrides,
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"interval": 0}, "interval"),
        ({"interval": -2}, "interval"),
        ({"interval": None}, "interval"),
        ({"end_date": "2024-12-31"}, "end_date"),
        ({"regimen_kind": "daily", "times_of_day": []}, "times_of_day"),
        ({"times_of_day": ["25:00"]}, "times_of_day"),
        ({"regimen_kind": "weekdays", "weekdays": []}, "weekdays"),
        ({"regimen_kind": "weekdays", "weekdays": [7]}, "weekdays"),
        ({"interval_unit": "fortnights"}, "interval_unit"),
        ({"next_dose_due_at": "2025-01-01T00:00:00Z"}, "next_dose_due_at"),
        (
            {"reminder_policy": [{"name": "x", "kind": "urgent", "audience": ["pope"]}]},
            "reminder_policy",
        ),
    ],
)
def test_bad_regimens_are_refused(world: World, client_for, overrides, field) -> None:  # type: ignore[no-untyped-def]
    response = client_for(world.owner).post(meds_url(world), _medication_body(**overrides))
    assert response.status_code == 400, response.data
    assert field in response.data["fields"]


def test_an_unknown_time_zone_is_refused_for_the_patient(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    url = reverse("patient-detail", kwargs={"pk": world.patient.pk})
    response = client_for(world.owner).patch(url, {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400


def test_a_medication_from_the_catalogue_takes_its_name_class_and_route(
    world: World, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.owner)
    catalogue = client.get(meds_url(world, name="medication-catalogue")).data
    omalizumab_entry = next(entry for entry in catalogue if entry["name"] == "Omalizumab")
    assert omalizumab_entry["route"] == "subcutaneous"
    body = _medication_body(catalogue=omalizumab_entry["id"])
    del body["name"], body["route"]
    created = client.post(meds_url(world), body)
    assert created.status_code == 201, created.data
    assert created.data["name"] == "Omalizumab"
    assert created.data["drug_class"] == "anti_ige"
    assert created.data["suggested_injection_site"] == "abdomen_left"
    assert [s["name"] for s in created.data["effective_reminder_policy"]] == [
        "heads_up",
        "due",
        "overdue",
        "caregivers",
        "urgent",
        "relapse_watch",
    ]


def _dose(world: World, medication: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "medication": str(medication.pk),
        "taken_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        **overrides,
    }


def test_dose_logging_rules(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    medication = omalizumab(world.patient, world.owner)
    owner, clinician = client_for(world.owner), client_for(world.clinician)
    future = (timezone.now() + timedelta(minutes=30)).isoformat()
    assert (
        owner.post(doses_url(world), _dose(world, medication, taken_at=future)).status_code == 400
    )
    # A clinician logs clinic doses only.
    assert clinician.post(doses_url(world), _dose(world, medication)).status_code == 403
    clinic = clinician.post(doses_url(world), _dose(world, medication, location="clinic"))
    assert clinic.status_code == 201 and clinic.data["given_by"] == "clinic"
    # Skipping needs a reason.
    skipped = owner.post(doses_url(world), _dose(world, medication, status="skipped"))
    assert skipped.status_code == 400 and "skip_reason" in skipped.data["fields"]
    # Another patient's medication does not exist here: a bad `medication`, as a made-up id is.
    other = omalizumab(world.strangers_patient, world.stranger)
    foreign = owner.post(doses_url(world), _dose(world, other))
    assert foreign.status_code == 400 and "medication" in foreign.data["fields"]
    # A non-injection has no injection site.
    pill = daily(world.patient, world.owner, ["08:00"])
    assert (
        owner.post(doses_url(world), _dose(world, pill, injection_site="thigh_left")).status_code
        == 400
    )
    # A paused medication takes no doses until resumed.
    owner.post(meds_url(world, name="medication-pause", pk=medication.pk))
    assert owner.post(doses_url(world), _dose(world, medication)).status_code == 400
    resumed = owner.post(meds_url(world, name="medication-resume", pk=medication.pk))
    assert resumed.status_code == 200 and resumed.data["paused_at"] is None
    assert owner.post(doses_url(world), _dose(world, medication)).status_code == 201


def test_a_dose_sent_twice_from_an_offline_phone_is_stored_once(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    medication = omalizumab(world.patient, world.owner)
    body = _dose(world, medication, id=str(uuid.uuid4()), injection_site="thigh_left")
    client = client_for(world.caregiver)
    first = client.post(doses_url(world), body)
    again = client.post(doses_url(world), body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert DoseLog.objects.count() == 1
    assert client.post(doses_url(world), {**body, "note": "x"}).status_code == 409


def test_logging_editing_and_deleting_a_dose_recomputes_what_is_due(
    world: World, client_for
) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(ZONE, 2025, 6, 2, 12, 0), tick=False):
        # Started yesterday, added today with no dose logged yet: due today at 09:00.
        medication = omalizumab(world.patient, world.owner, start_date=date(2025, 6, 1))
        client = client_for(world.owner)
        detail = meds_url(world, name="medication-detail", pk=medication.pk)
        assert client.get(detail).data["next_dose_due_at"] == "2025-06-02T07:00:00Z"
        created = client.post(
            doses_url(world),
            _dose(
                world, medication, taken_at="2025-06-02T10:00:00+02:00", injection_site="thigh_left"
            ),
        )
        assert created.status_code == 201
        shown = client.get(detail).data
        assert shown["next_dose_due_at"] == "2025-06-30T07:00:00Z"
        assert shown["suggested_injection_site"] == "thigh_right"
        dose_url = reverse(
            "dose-detail", kwargs={"patient_pk": world.patient.pk, "pk": created.data["id"]}
        )
        moved = client.patch(
            dose_url, {"taken_at": "2025-06-01T18:00:00+02:00"}, HTTP_IF_MATCH='"1"'
        )
        assert moved.status_code == 200, moved.data
        assert client.get(detail).data["next_dose_due_at"] == "2025-06-29T07:00:00Z"
        assert client.delete(dose_url).status_code == 204
        assert client.get(detail).data["next_dose_due_at"] == "2025-06-02T07:00:00Z"
        pending = ReminderStep.objects.filter(medication=medication, status=StepStatus.PENDING)
        assert {s.due_at for s in pending} == {local(ZONE, 2025, 6, 2, 9, 0)}


def test_changing_the_regimen_replans_pending_reminders(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(ZONE, 2025, 6, 2, 12, 0), tick=False):
        medication = daily(world.patient, world.owner, ["20:00"], start_date=date(2025, 6, 1))
        response = client_for(world.caregiver).patch(
            meds_url(world, name="medication-detail", pk=medication.pk), {"times_of_day": ["21:30"]}
        )
        assert response.status_code == 200
        pending = ReminderStep.objects.filter(medication=medication, status=StepStatus.PENDING)
        assert sorted(s.fire_at.astimezone(ZoneInfo(ZONE)).strftime("%H:%M") for s in pending) == [
            "21:30",
            "23:30",
        ]


def test_the_schedule_shows_each_dose_with_its_state_and_adherence(
    world: World, client_for
) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(local(ZONE, 2025, 6, 1, 0, 5), tick=False):
        pill = daily(world.patient, world.owner, ["08:00", "20:00"], start_date=date(2025, 6, 1))
    with time_machine.travel(local(ZONE, 2025, 6, 3, 9, 0), tick=False):
        log_dose(pill, world.owner, local(ZONE, 2025, 6, 1, 8, 5))  # on time
        log_dose(pill, world.owner, local(ZONE, 2025, 6, 1, 23, 0))  # late (after 22:00)
        services.dose_create(
            fields={
                "patient": world.patient,
                "medication": pill,
                "taken_at": local(ZONE, 2025, 6, 2, 8, 0),
                "status": "skipped",
                "skip_reason": "vomiting",
                "created_by": world.owner,
            },
            digest="",
        )
        # 2 June 20:00: nothing logged → missed; 3 June 08:00: due (window until 10:00).
        url = meds_url(world, name="medication-schedule") + "?start=2025-06-01&end=2025-06-03"
        data = client_for(world.clinician).get(url).data
    rome = ZoneInfo(ZONE)
    states = [
        (
            datetime.fromisoformat(o["due_at"]).astimezone(rome).strftime("%Y-%m-%dT%H:%M"),
            o["state"],
        )
        for o in data["occurrences"]
    ]
    assert states == [
        ("2025-06-01T08:00", "taken"),
        ("2025-06-01T20:00", "taken_late"),
        ("2025-06-02T08:00", "skipped"),
        ("2025-06-02T20:00", "missed"),
        ("2025-06-03T08:00", "due"),
        ("2025-06-03T20:00", "upcoming"),
    ]
    adherence = data["adherence"][0]
    assert (
        adherence["taken"],
        adherence["taken_late"],
        adherence["skipped"],
        adherence["missed"],
    ) == (1, 1, 1, 1)
    assert adherence["rate"] == 0.5


def test_list_endpoints_have_a_fixed_query_count(
    world: World, client_for, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.owner)

    def count(url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [meds_url(world), doses_url(world), meds_url(world, name="medication-schedule")]
    medication = omalizumab(world.patient, world.owner)
    log_dose(
        medication, world.owner, timezone.now() - timedelta(days=1), injection_site="thigh_left"
    )
    few = [count(url) for url in urls]
    for n in range(4):
        more = omalizumab(world.patient, world.owner, name=f"Injection {n}")
        log_dose(
            more, world.owner, timezone.now() - timedelta(days=2), injection_site="abdomen_left"
        )
        daily(world.patient, world.owner, ["08:00", "20:00"], name=f"Pill {n}")
    assert [count(url) for url in urls] == few
    with django_assert_num_queries(few[0]):
        client.get(urls[0])


def _schedule_states(client: Any, world: World, start: str, end: str) -> list[tuple[str, str]]:
    url = meds_url(world, name="medication-schedule") + f"?start={start}&end={end}"
    rome = ZoneInfo(ZONE)
    return [
        (datetime.fromisoformat(o["due_at"]).astimezone(rome).strftime("%d %b %H:%M"), o["state"])
        for o in client.get(url).data["occurrences"]
    ]


def test_a_backdated_dose_lands_on_the_occurrence_it_belongs_to(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.owner)
    with time_machine.travel(local(ZONE, 2026, 11, 30, 10, 0), tick=False):
        created = client.post(meds_url(world), _medication_body(start_date="2026-11-20"))
        assert created.status_code == 201, created.data
        # The real first dose, given on the start date, logged ten days later.
        dose = client.post(
            doses_url(world),
            {"medication": created.data["id"], "taken_at": "2026-11-20T10:05:00+01:00"},
        )
        assert dose.status_code == 201, dose.data
        assert dose.data["scheduled_for"] == "2026-11-20T08:00:00Z"  # 20 Nov, 09:00 in Rome
        assert _schedule_states(client, world, "2026-11-18", "2026-12-01") == [
            ("20 Nov 09:00", "taken")
        ]
        detail = meds_url(world, name="medication-detail", pk=created.data["id"])
        assert client.get(detail).data["next_dose_due_at"] == "2026-12-18T08:00:00Z"


def test_the_last_dose_given_is_part_of_adding_a_medication_counted_from_it(
    world: World, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.caregiver)
    with time_machine.travel(local(ZONE, 2026, 11, 30, 10, 0), tick=False):
        created = client.post(
            meds_url(world),
            _medication_body(
                start_date="2026-11-30",
                last_dose_at="2026-11-20T10:05:00+01:00",
                last_dose_injection_site="thigh_left",
            ),
        )
        assert created.status_code == 201, created.data
        assert "last_dose_at" not in created.data
        assert created.data["next_dose_due_at"] == "2026-12-18T08:00:00Z"  # 28 days after
        assert created.data["suggested_injection_site"] == "thigh_right"
        dose = DoseLog.objects.get(medication_id=created.data["id"])
        assert (dose.given_by, dose.injection_site) == ("caregiver", "thigh_left")
        assert dose.taken_at == local(ZONE, 2026, 11, 20, 10, 5)
        assert _schedule_states(client, world, "2026-11-18", "2026-12-01") == [
            ("20 Nov 09:00", "taken")
        ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"last_dose_at": "2026-11-30T12:00:00+01:00"}, "last_dose_at"),  # in the future
        ({"last_dose_at": "yesterday"}, "last_dose_at"),
        ({"last_dose_at": "2026-11-20T10:00:00Z", "interval_anchor": "calendar"}, "last_dose_at"),
        (
            {"last_dose_at": "2026-11-20T10:00:00Z", "regimen_kind": "daily", "interval": None},
            "last_dose_at",
        ),
        ({"last_dose_injection_site": "thigh_left"}, "last_dose_injection_site"),
        (
            {"last_dose_at": "2026-11-20T10:00:00Z", "last_dose_injection_site": "elbow"},
            "last_dose_injection_site",
        ),
        (
            {
                "last_dose_at": "2026-11-20T10:00:00Z",
                "route": "oral",
                "last_dose_injection_site": "thigh_left",
            },
            "last_dose_injection_site",
        ),
    ],
)
def test_a_bad_last_dose_is_refused_with_a_field_error(  # type: ignore[no-untyped-def]
    world: World, client_for, overrides, field
) -> None:
    client = client_for(world.owner)
    with time_machine.travel(local(ZONE, 2026, 11, 30, 10, 0), tick=False):
        response = client.post(meds_url(world), _medication_body(**overrides))
    assert response.status_code == 400, response.data
    assert field in response.data["fields"]
    assert not DoseLog.objects.exists()


def test_the_last_dose_cannot_be_changed_by_editing_the_medication(
    world: World, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.owner)
    with time_machine.travel(local(ZONE, 2026, 11, 30, 10, 0), tick=False):
        created = client.post(meds_url(world), _medication_body())
        detail = meds_url(world, name="medication-detail", pk=created.data["id"])
        response = client.patch(detail, {"last_dose_at": "2026-11-20T10:00:00Z"})
    assert response.status_code == 400 and "last_dose_at" in response.data["fields"]
