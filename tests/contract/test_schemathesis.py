"""Schemathesis fuzzes the live API against its own OpenAPI schema, as each kind of person.

The schema is a promise to every client: for each operation, the statuses it can answer and the
body and content type of each. Schemathesis generates valid and invalid requests for every
operation from the schema alone, sends them to a real server (pytest-django's live_server, on the
suite's pinned clock) and checks each answer against that promise. One run per persona — the
patient's owner, caregiver and clinician, signed in with a Bearer token past the second factor,
and an anonymous client — over a world as `make run` shows it (apps.ops.demo), so that path
parameters name real records rather than answering 404 to everything.

Path parameters are fixed to records made by the access matrix's own builders
(tests/access/rules_*.py), one per route and method, so a DELETE destroys a record of its own
and every other operation keeps finding its record afterwards. Deleting the patient and leaving
its care team act on a twin patient with the same team.

A failure prints schemathesis' own report: each failing operation, the check, the answer, and
a curl command that reproduces it against a server of yours.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts import services as account_services
from apps.careteam.models import Membership, Patient, Role
from apps.ops.demo import load_demo
from apps.ops.heartbeat import BEAT, WORKER_PREFIX, record_heartbeat
from tests.access.matrix import all_rules, schema_path
from tests.factories import MembershipFactory, UserFactory, World, enable_totp, load_catalogues

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PERSONAS = ("owner", "caregiver", "clinician", "anonymous")
# Exactly the promises of the schema: no 5xx, only listed statuses, the listed content type, and
# a body that matches the listed schema.
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# Per operation and phase: the four runs take about three minutes on two cores (five is the budget).
MAX_EXAMPLES = 10
# Operations that would end the persona's own sign-in halfway through its run, after which every
# answer is a 401 that says nothing about the operation under test. Nothing else is left out.
CREDENTIAL_ENDERS = {"auth_logout_create", "auth_password_change_create"}
# Each run sees a schema fetched from the live server, as any client would.
SCHEMA_URL = "/api/schema/?format=json"
ST = Path(sys.executable).with_name("st")


def _demo_world() -> World:
    """The demo's Alex Rivera as the patient, with the people `make run` prints: Alex (owner),
    Sam (caregiver) and Dr Lindqvist (clinician, who must have TOTP), plus a revoked carer."""
    demo = load_demo()
    revoked = UserFactory(email="former@example.org", display_name="Former Carer")
    MembershipFactory(
        patient=demo.patients["alex"],
        user=revoked,
        role=Role.CAREGIVER,
        revoked_at=timezone.now(),
    )
    return World(
        patient=demo.patients["alex"],
        owner=demo.users["alex"],
        caregiver=demo.users["sam"],
        clinician=enable_totp(demo.users["drlind"]),
        revoked=revoked,
        stranger=demo.users["maria"],
        strangers_patient=demo.patients["leo"],
    )


def _twin_patient(world: World) -> Patient:
    """A second patient with the same care team, for the operations that end the persona's
    access to a patient (deleting it, leaving its team): the main patient must outlive them."""
    twin = Patient.objects.create(display_name="Alex's twin", time_zone="Europe/Rome")
    for persona, role in (
        ("owner", Role.OWNER),
        ("caregiver", Role.CAREGIVER),
        ("clinician", Role.CLINICIAN),
    ):
        Membership.objects.create(patient=twin, user=world.user(persona), role=role)
    return twin


def _path_parameters(world: World, persona: str) -> dict[str, dict[str, str]]:
    """operationId -> its path parameters, naming records made for this run."""
    user = world.user(persona)
    # A token, a notification or a push subscription belongs to one user: this persona's own.
    personal = world if user is None else dataclasses.replace(world, owner=user)
    twin = _twin_patient(world)
    made: dict[tuple[str, str], dict[str, str]] = {}
    for rule in all_rules():
        try:
            with transaction.atomic():
                kwargs = rule.kwargs(personal if _personal(rule.route) else world, persona)
        except IntegrityError:
            # A second record where one is allowed (a fixed email, code or day): the method
            # shares its route's record, made by the GET's builder (see below).
            continue
        if (rule.route, rule.method) in {("patient-detail", "DELETE"), ("member-leave", "POST")}:
            kwargs = {**kwargs, **({"pk": twin.pk} if "pk" in kwargs else {"patient_pk": twin.pk})}
        path = schema_path(reverse(rule.route, kwargs=kwargs))
        made[(rule.method, path)] = {
            ("id" if name == "pk" else name): str(value) for name, value in kwargs.items()
        }
    # An operation without a builder of its own (a PUT beside a PATCH) uses a sibling's record,
    # a DELETE's only when there is no other.
    by_path: dict[str, dict[str, str]] = {}
    for method in ("GET", "PATCH", "PUT", "POST", "DELETE"):
        for (made_for, path), params in made.items():
            if made_for == method:
                by_path.setdefault(path, params)
    return {
        operation["operationId"]: made.get((method.upper(), path)) or by_path[path]
        for path, operations in _schema()["paths"].items()
        if "{" in path
        for method, operation in operations.items()
    }


def _personal(route: str) -> bool:
    return route.startswith(("token-", "notification-", "push-subscription-"))


@functools.cache
def _schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _toml(value: str | dict[str, str]) -> str:
    """A TOML string or inline table (a JSON string is a TOML basic string)."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def _config(base_url: str, world: World, persona: str) -> str:
    lines = [
        f"base-url = {_toml(base_url)}",
        # Fuzzing and the stateful links between operations. The coverage phase, which walks
        # every boundary of every schema, takes minutes per persona on two cores.
        "[phases.coverage]",
        "enabled = false",
        "[generation]",
        f"max-examples = {MAX_EXAMPLES}",
        "deterministic = true",  # Hypothesis derandomised: each run sends the same requests
        "database = 'none'",  # no example store left behind: every run starts from the seed
        "[parameters]",
        f'"path.patient_pk" = {_toml(str(world.patient.pk))}',
    ]
    # Per operation: schemathesis ignores include-method beside include-path, so operations are
    # named by their operationId.
    for operation_id, params in sorted(_path_parameters(world, persona).items()):
        lines += [
            "[[operations]]",
            f"include-operation-id = {_toml(operation_id)}",
            f"parameters = {_toml({f'path.{k}': v for k, v in params.items()})}",
        ]
    for operation_id in sorted(CREDENTIAL_ENDERS):
        lines += [
            "[[operations]]",
            f"include-operation-id = {_toml(operation_id)}",
            "enabled = false",
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_keeps_its_schemas_promises(live_server, settings, tmp_path, persona: str) -> None:
    load_catalogues()  # data migrations that an earlier transactional test's flush emptied
    # No Celery worker or beat runs here: they showed signs of life once, and count as alive for
    # the run, so /api/health answers 200, not its (documented, tested in tests/ops) 503.
    settings.HEARTBEAT_STALE_AFTER = dt.timedelta(hours=1)
    record_heartbeat(BEAT)
    record_heartbeat(f"{WORKER_PREFIX}schemathesis")
    world = _demo_world()
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(live_server.url, world, persona))
    headers = []
    user = world.user(persona)
    if user is not None:
        # A Bearer token (no CSRF token to juggle) that passed the second factor when made.
        verified_at = timezone.now() if user.totp_enabled else None
        _, raw = account_services.token_create(
            user=user, name="schemathesis", otp_verified_at=verified_at, lifetime_days=None
        )
        headers = ["--header", f"Authorization: Bearer {raw}"]
    command = [
        str(ST),
        "--config-file",
        str(config),
        "run",
        live_server.url + SCHEMA_URL,
        "--checks",
        ",".join(CHECKS),
        # Requests overlap (the live server is threaded): 4 workers fill two cores.
        "--workers",
        "4",
        "--no-color",
        *headers,
    ]
    started = dt.datetime.now(dt.UTC)
    result = subprocess.run(  # noqa: S603  # our own venv's schemathesis, fixed arguments
        command,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    took = dt.datetime.now(dt.UTC) - started
    print(result.stdout)  # the whole report, warnings included: pytest -rP shows it on a pass
    assert result.returncode == 0, (
        f"schemathesis as {persona} (exit {result.returncode}, {took.seconds} s):\n"
        f"{result.stdout[-20000:]}\n{result.stderr[-5000:]}"
    )
