"""Factories for volume, and the named world every access test starts from."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass
from typing import Any

import factory
from django.apps import apps as django_apps
from django.utils import timezone

from apps.accounts import otp
from apps.accounts.models import User
from apps.careteam.access import holds_clinician_role
from apps.careteam.models import Membership, Patient, Role

PASSWORD = "correct horse battery staple"
# The world's clinician has an authenticator app with this secret (clinicians need TOTP), enrolled
# long before any date the tests travel to.
CLINICIAN_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
TOTP_ENROLLED_AT = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def enable_totp(user: User, secret: str = CLINICIAN_TOTP_SECRET) -> User:
    """Gives the user a confirmed authenticator app, as POST /auth/totp/confirm would."""
    user.totp_secret = secret
    user.totp_confirmed_at = TOTP_ENROLLED_AT
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return user


def login_verified(client: Any, user: User) -> None:
    """Signs the client in as the sign-in form and, with TOTP, POST /auth/totp/verify would:
    the session has passed the second factor and, for a clinician, runs the idle clock."""
    client.force_login(user)
    session = client.session
    if user.totp_confirmed_at is not None:
        otp.mark_session_verified(session, max(timezone.now(), user.totp_confirmed_at))
    if holds_clinician_role(user):
        otp.start_clinician_clock(session)
    session.save()


def load_catalogues() -> None:
    """The shared symptom, trigger and drug catalogues: data migrations, which a transactional
    test's flush of an earlier test may have emptied."""
    for module in (
        "apps.diary.migrations.0002_catalogue",
        "apps.medications.migrations.0002_catalogue",
    ):
        importlib.import_module(module).load(django_apps, None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    time_zone = "Europe/Rome"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    display_name = factory.Faker("first_name")
    time_zone = "Europe/Rome"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    patient = factory.SubFactory(PatientFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER


PERSONAS = ("owner", "caregiver", "clinician", "stranger", "revoked", "anonymous")


@dataclass
class World:
    patient: Patient
    owner: User
    caregiver: User
    clinician: User
    revoked: User
    stranger: User
    strangers_patient: Patient

    def user(self, persona: str) -> User | None:
        return None if persona == "anonymous" else getattr(self, persona)

    def membership(self, persona: str) -> Membership:
        return Membership.objects.get(
            patient=self.patient, user=self.user(persona), revoked_at=None
        )


def build_world() -> World:
    patient = PatientFactory(display_name="Sam", time_zone="Europe/Rome")
    owner = UserFactory(email="parent@example.org", display_name="Pat Parent")
    caregiver = UserFactory(email="carer@example.org", display_name="Casey Carer")
    clinician = enable_totp(UserFactory(email="doctor@example.org", display_name="Dr Dana"))
    revoked = UserFactory(email="former@example.org", display_name="Former Carer")
    stranger = UserFactory(email="stranger@example.org", display_name="Stan Stranger")
    MembershipFactory(patient=patient, user=owner, role=Role.OWNER)
    MembershipFactory(patient=patient, user=caregiver, role=Role.CAREGIVER)
    MembershipFactory(patient=patient, user=clinician, role=Role.CLINICIAN)
    MembershipFactory(patient=patient, user=revoked, role=Role.CAREGIVER, revoked_at=timezone.now())
    strangers_patient = PatientFactory(display_name="Other")
    MembershipFactory(patient=strangers_patient, user=stranger, role=Role.OWNER)
    return World(patient, owner, caregiver, clinician, revoked, stranger, strangers_patient)
