"""Patients, care teams and invitations: sharing a record safely, and taking access back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.careteam.models import Invitation, Membership, Role
from tests.factories import MembershipFactory, UserFactory, World

pytestmark = pytest.mark.django_db


def invite(client, world: World, email: str, role: str = "caregiver") -> str:
    # The email goes out when the invitation commits: run that hook here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/api/v1/patients/{world.patient.pk}/invitations/",
            {"email": email, "role": role},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert "code" not in response.json(), "the code travels only by email"
    return re.search(r"enter this code: (\S+)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]


def test_a_parent_creates_two_children_and_sees_both(client_for) -> None:
    parent = UserFactory()
    client = client_for(parent)
    for name in ("Leo", "Ada"):
        created = client.post(
            "/api/v1/patients/",
            {"display_name": name, "time_zone": "America/New_York", "sm_subtype": "CM"},
            format="json",
        )
        assert created.status_code == 201
        assert created.json()["my_role"] == "owner"
    listed = client.get("/api/v1/patients/").json()
    assert [p["display_name"] for p in listed] == ["Ada", "Leo"]
    assert all(p["my_role"] == "owner" for p in listed)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"display_name": "X", "time_zone": "Nowhere/Land"}, "time_zone"),
        ({"display_name": "X", "time_zone": "UTC", "sm_subtype": "XYZ"}, "sm_subtype"),
        ({"display_name": "X", "time_zone": "UTC", "date_of_birth": "2999-01-01"}, "date_of_birth"),
        (
            {
                "display_name": "X",
                "time_zone": "UTC",
                "emergency_contacts": [{"name": "Mum", "phone": "call me"}],
            },
            "emergency_contacts",
        ),
        ({"display_name": "", "time_zone": "UTC"}, "display_name"),
        (
            {"display_name": "X", "time_zone": "UTC", "id": "6f1d9a52-3c1e-4e57-9a0e-2b6f0d6f7a11"},
            "id",
        ),
    ],
)
def test_bad_patient_input_names_the_field(client_for, body: dict, field: str) -> None:
    response = client_for(UserFactory()).post("/api/v1/patients/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_patient_ids_are_random_uuids(client_for) -> None:
    client = client_for(UserFactory())
    first = client.post(
        "/api/v1/patients/", {"display_name": "A", "time_zone": "UTC"}, format="json"
    ).json()["id"]
    second = client.post(
        "/api/v1/patients/", {"display_name": "B", "time_zone": "UTC"}, format="json"
    ).json()["id"]
    assert len(first) == 36 and first[14] == "4" and first != second


def test_invitation_round_trip(world: World, client_for) -> None:
    owner = client_for(world.owner)
    grandma = UserFactory(email="grandma@example.org")
    code = invite(owner, world, "Grandma@Example.org")
    assert mail.outbox[-1].to == ["grandma@example.org"]
    assert "Sam" in mail.outbox[-1].body

    her = client_for(grandma)
    preview = her.post("/api/v1/invitations/preview", {"code": code}, format="json")
    assert preview.json()["patient_display_name"] == "Sam" and preview.json()["role"] == "caregiver"
    accepted = her.post("/api/v1/invitations/accept", {"code": code}, format="json")
    assert accepted.status_code == 201
    assert accepted.json()["patient"]["my_role"] == "caregiver"
    assert her.get(f"/api/v1/patients/{world.patient.pk}/").status_code == 200

    reused = her.post("/api/v1/invitations/accept", {"code": code}, format="json")
    assert reused.status_code == 400 and "already used" in reused.json()["fields"]["code"][0]
    assert Membership.objects.filter(patient=world.patient, user=grandma).count() == 1


def test_an_expired_code_does_not_work(world: World, client_for) -> None:
    code = invite(client_for(world.owner), world, "late@example.org")
    late = UserFactory(email="late@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = client_for(late).post(
            "/api/v1/invitations/accept", {"code": code}, format="json"
        )
    assert response.status_code == 400 and "expired" in response.json()["fields"]["code"][0]
    assert not Membership.objects.filter(user=late).exists()


def test_a_code_only_works_for_the_address_it_was_sent_to(world: World, client_for) -> None:
    code = invite(client_for(world.owner), world, "intended@example.org")
    response = client_for(world.stranger).post(
        "/api/v1/invitations/accept", {"code": code}, format="json"
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(patient=world.patient, user=world.stranger).exists()


def test_a_withdrawn_or_replaced_invitation_stops_working(world: World, client_for) -> None:
    owner = client_for(world.owner)
    invitee = UserFactory(email="twice@example.org")
    first_code = invite(owner, world, invitee.email)
    second_code = invite(owner, world, invitee.email)
    them = client_for(invitee)
    assert (
        them.post("/api/v1/invitations/accept", {"code": first_code}, format="json").status_code
        == 400
    )
    withdrawn = Invitation.objects.get(
        code_hash__isnull=False, email=invitee.email, revoked_at__isnull=True
    )
    assert (
        owner.delete(f"/api/v1/patients/{world.patient.pk}/invitations/{withdrawn.pk}/").status_code
        == 204
    )
    response = them.post("/api/v1/invitations/accept", {"code": second_code}, format="json")
    assert response.status_code == 400 and "withdrawn" in response.json()["fields"]["code"][0]


def test_decline(world: World, client_for) -> None:
    code = invite(client_for(world.owner), world, "no-thanks@example.org")
    them = client_for(UserFactory(email="no-thanks@example.org"))
    assert (
        them.post("/api/v1/invitations/decline", {"code": code}, format="json").status_code == 204
    )
    assert them.post("/api/v1/invitations/accept", {"code": code}, format="json").status_code == 400


def test_unknown_code_and_bad_body(client_for) -> None:
    client = client_for(UserFactory())
    assert (
        client.post("/api/v1/invitations/accept", {"code": "nope"}, format="json").status_code
        == 400
    )
    assert client.post("/api/v1/invitations/accept", {}, format="json").json()["fields"] == {
        "code": ["This field is required."]
    }


def test_inviting_someone_already_on_the_team_is_refused(world: World, client_for) -> None:
    response = client_for(world.owner).post(
        f"/api/v1/patients/{world.patient.pk}/invitations/",
        {"email": world.caregiver.email, "role": "clinician"},
        format="json",
    )
    assert response.status_code == 400 and "email" in response.json()["fields"]


def test_revoking_access_takes_effect_on_the_next_request(world: World, client_for) -> None:
    carer = client_for(world.caregiver)
    assert carer.get(f"/api/v1/patients/{world.patient.pk}/").status_code == 200
    membership = world.membership("caregiver")
    assert (
        client_for(world.owner)
        .delete(f"/api/v1/patients/{world.patient.pk}/members/{membership.pk}/")
        .status_code
        == 204
    )
    assert carer.get(f"/api/v1/patients/{world.patient.pk}/").status_code == 404
    assert carer.get("/api/v1/patients/").json() == []


def test_the_last_owner_cannot_leave_or_be_demoted(world: World, client_for) -> None:
    owner = client_for(world.owner)
    mine = world.membership("owner")
    assert owner.post(f"/api/v1/patients/{world.patient.pk}/members/leave/").status_code == 400
    demote = owner.patch(
        f"/api/v1/patients/{world.patient.pk}/members/{mine.pk}/",
        {"role": "caregiver"},
        format="json",
    )
    assert demote.status_code == 400 and "role" in demote.json()["fields"]
    # With a second owner (the other parent), the first may step back.
    other_parent = UserFactory()
    MembershipFactory(patient=world.patient, user=other_parent, role=Role.OWNER)
    assert owner.post(f"/api/v1/patients/{world.patient.pk}/members/leave/").status_code == 204
    assert owner.get(f"/api/v1/patients/{world.patient.pk}/").status_code == 404


def test_a_record_of_another_patient_is_not_found_through_this_patient(
    world: World, client_for
) -> None:
    theirs = Membership.objects.get(patient=world.strangers_patient)
    response = client_for(world.owner).delete(
        f"/api/v1/patients/{world.patient.pk}/members/{theirs.pk}/"
    )
    assert response.status_code == 404
    assert Membership.objects.get(pk=theirs.pk).revoked_at is None


def test_caregiver_and_clinician_reads_are_audited_owner_reads_are_not(
    world: World, client_for
) -> None:
    url = f"/api/v1/patients/{world.patient.pk}/"
    client_for(world.owner).get(url)
    client_for(world.caregiver).get(url, REMOTE_ADDR="203.0.113.7")
    client_for(world.clinician).get(f"{url}members/")
    events = list(AuditEvent.objects.order_by("created_at"))
    assert [(e.actor_label, e.actor_role, e.action, e.resource) for e in events] == [
        ("carer@example.org", "caregiver", "read", "patient"),
        ("doctor@example.org", "clinician", "read", "membership"),
    ]
    assert events[0].ip_address == "203.0.113.7"
    assert events[0].object_id == str(world.patient.pk)

    trail = client_for(world.owner).get(f"{url}audit/").json()["results"]
    assert [e["actor_label"] for e in trail] == ["doctor@example.org", "carer@example.org"]


def test_a_refused_write_is_not_audited_as_a_change(world: World, client_for) -> None:
    client_for(world.clinician).patch(
        f"/api/v1/patients/{world.patient.pk}/", {"display_name": "X"}, format="json"
    )
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.parametrize(
    ("url", "setup"),
    [
        ("/api/v1/patients/", "patients"),
        ("/api/v1/patients/{p}/members/", "members"),
        ("/api/v1/patients/{p}/invitations/", "invitations"),
        ("/api/v1/patients/{p}/audit/", "audit"),
        ("/api/v1/auth/tokens/", "tokens"),
    ],
)
def test_lists_run_a_fixed_number_of_queries(
    world: World, client_for, django_assert_num_queries, url: str, setup: str
) -> None:
    from apps.accounts import services as account_services
    from apps.audit.models import AuditEvent
    from apps.careteam import services as careteam_services
    from tests.factories import PatientFactory

    def grow(n: int) -> None:
        for i in range(n):
            if setup == "patients":
                MembershipFactory(patient=PatientFactory(), user=world.owner, role=Role.OWNER)
            elif setup == "members":
                MembershipFactory(patient=world.patient, role=Role.CAREGIVER)
            elif setup == "invitations":
                careteam_services.invitation_create(
                    patient=world.patient,
                    invited_by=world.owner,
                    email=f"i{i}-{n}@example.org",
                    role=Role.CAREGIVER,
                )
            elif setup == "audit":
                AuditEvent.objects.create(
                    patient=world.patient,
                    actor=world.clinician,
                    actor_label="x",
                    action="read",
                    resource="patient",
                )
            else:
                account_services.token_create(user=world.owner, name=f"t{i}")

    client = client_for(world.owner)
    target = url.format(p=world.patient.pk)
    grow(1)
    client.get(target)  # warm the session
    few = _count(client, target)
    grow(20)
    with django_assert_num_queries(few):
        assert client.get(target).status_code == 200
    assert few <= 6


def _count(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_clinician_sees_the_clinical_trail_without_addresses_or_the_familys_reads(
    world: World, client_for
) -> None:
    url = f"/api/v1/patients/{world.patient.pk}/"
    client_for(world.caregiver).get(url, REMOTE_ADDR="203.0.113.7")
    client_for(world.clinician).get(f"{url}members/", REMOTE_ADDR="198.51.100.9")
    seen_by_doctor = client_for(world.clinician).get(f"{url}audit/").json()["results"]
    assert [(e["actor_label"], e["resource"], e["ip_address"]) for e in seen_by_doctor] == [
        ("doctor@example.org", "membership", None)
    ]
    seen_by_owner = client_for(world.owner).get(f"{url}audit/").json()["results"]
    # The doctor reading the trail is on the trail too (newest first).
    assert [(e["actor_role"], e["resource"], e["ip_address"]) for e in seen_by_owner] == [
        ("clinician", "audit", "127.0.0.1"),
        ("clinician", "membership", "198.51.100.9"),
        ("caregiver", "patient", "203.0.113.7"),
    ]
    assert client_for(world.caregiver).get(f"{url}audit/").status_code == 404


def test_the_clinician_check_rides_on_the_user_query_and_is_fresh_each_request(
    world: World, client_for, django_assert_num_queries
) -> None:
    """The second factor's "clinician on any care team?" is answered by the query that loads a
    session's user (apps.accounts.backends): the patients list is session, user, patients — and
    a membership granted after sign-in counts on the very next request."""
    client = client_for(world.stranger)
    client.get("/api/v1/patients/")  # warm: the session's first request may write it
    with django_assert_num_queries(3):
        listed = client.get("/api/v1/patients/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [str(world.strangers_patient.pk)]
    MembershipFactory(patient=world.patient, user=world.stranger, role=Role.CLINICIAN)
    refused = client.get("/api/v1/patients/")
    assert refused.status_code == 403 and refused.json()["code"] == "totp_required"
    Membership.objects.filter(user=world.stranger, role=Role.CLINICIAN).update(
        revoked_at=timezone.now()
    )
    assert client.get("/api/v1/patients/").status_code == 200


def test_the_patients_list_renders_as_drf_does(world: World, client_for) -> None:
    """The list's serializer builds its fields once per class and walks a precomputed plan
    (apps.core.serializers.ReadPlanMixin): the JSON is what DRF's own path gives."""
    from rest_framework.serializers import ModelSerializer

    from apps.careteam.api import patients_of
    from apps.careteam.serializers import PatientSerializer

    class Plain(PatientSerializer):
        to_representation = ModelSerializer.to_representation  # type: ignore[assignment]
        get_fields = ModelSerializer.get_fields  # type: ignore[assignment]

    world.patient.emergency_contacts = [{"name": "Ann", "relation": "aunt", "phone": "+39 06 1"}]
    world.patient.save()
    listed = client_for(world.owner).get("/api/v1/patients/")
    assert listed.status_code == 200
    expected = Plain(patients_of(world.owner), many=True).data
    assert listed.json() == [dict(row) for row in expected]
    assert listed.json()[0]["created_at"].endswith("Z")
