"""The demo data set `make run` loads. Each app may add to it with a `demo.py` of its own that
defines `load(demo: Demo)`; apps are loaded in INSTALLED_APPS order. Every record has a fixed id
(uuid5 of a name), so loading twice changes nothing."""

from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any

from django.apps import apps as django_apps
from django.db import transaction

DEMO_PASSWORD = "mastline-demo-2026"  # noqa: S105  # printed by `make run` on purpose
_NAMESPACE = uuid.UUID("6f1d9a52-3c1e-4e57-9a0e-2b6f0d6f7a11")


def demo_id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, name)


@dataclass
class Demo:
    users: dict[str, Any] = field(default_factory=dict)
    patients: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DemoUser:
    key: str
    email: str
    display_name: str
    time_zone: str
    describes: str


DEMO_USERS = [
    DemoUser(
        "alex", "alex@demo.mastline.test", "Alex Rivera", "Europe/Rome", "patient with indolent SM"
    ),
    DemoUser(
        "sam", "sam@demo.mastline.test", "Sam Rivera", "Europe/Rome", "Alex's partner, caregiver"
    ),
    DemoUser(
        "maria",
        "maria@demo.mastline.test",
        "Maria Okafor",
        "America/New_York",
        "parent of Leo and Ada",
    ),
    DemoUser(
        "drlind",
        "clinician@demo.mastline.test",
        "Dr Sofia Lindqvist",
        "Europe/Rome",
        "haematologist",
    ),
]


def _load_accounts_and_teams(demo: Demo) -> None:
    from apps.accounts.models import User
    from apps.careteam.models import KitStatus, Membership, Patient, Role, SMSubtype

    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            email=spec.email,
            defaults={
                "id": demo_id(spec.email),
                "display_name": spec.display_name,
                "time_zone": spec.time_zone,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        demo.users[spec.key] = user
        demo.logins.append((spec.email, spec.describes))

    patients = {
        "alex": {
            "display_name": "Alex Rivera",
            "sm_subtype": SMSubtype.INDOLENT,
            "kit_d816v_status": KitStatus.POSITIVE,
            "time_zone": "Europe/Rome",
        },
        "leo": {
            "display_name": "Leo Okafor",
            "sm_subtype": SMSubtype.CUTANEOUS,
            "kit_d816v_status": KitStatus.POSITIVE,
            "time_zone": "America/New_York",
        },
        "ada": {
            "display_name": "Ada Okafor",
            "sm_subtype": SMSubtype.UNKNOWN,
            "kit_d816v_status": KitStatus.NOT_TESTED,
            "time_zone": "America/New_York",
        },
    }
    for key, fields in patients.items():
        patient, _ = Patient.objects.get_or_create(id=demo_id(f"patient:{key}"), defaults=fields)
        demo.patients[key] = patient

    team = [
        ("alex", "alex", Role.OWNER),
        ("alex", "sam", Role.CAREGIVER),
        ("alex", "drlind", Role.CLINICIAN),
        ("leo", "maria", Role.OWNER),
        ("leo", "drlind", Role.CLINICIAN),
        ("ada", "maria", Role.OWNER),
    ]
    for patient_key, user_key, role in team:
        Membership.objects.get_or_create(
            patient=demo.patients[patient_key],
            user=demo.users[user_key],
            revoked_at=None,
            defaults={"role": role},
        )


@transaction.atomic
def load_demo() -> Demo:
    demo = Demo()
    _load_accounts_and_teams(demo)
    for config in django_apps.get_app_configs():
        if config.name.startswith("apps.") and config.name != "apps.ops":
            module_name = f"{config.name}.demo"
            if find_spec(module_name) is not None:
                importlib.import_module(module_name).load(demo)
    return demo
