"""Two-step sign-in with an authenticator app (TOTP), required for clinicians (issue 7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from apps.accounts import services as account_services
from apps.accounts import totp
from apps.accounts.models import TotpRecoveryCode, User
from apps.audit.models import AuditEvent
from apps.careteam.access import ClinicianVerified
from apps.careteam.models import Role
from tests.access.matrix import Rule
from tests.access.test_matrix import all_rules
from tests.factories import (
    CLINICIAN_TOTP_SECRET,
    PASSWORD,
    MembershipFactory,
    UserFactory,
    World,
    login_verified,
)

pytestmark = pytest.mark.django_db

# RFC 6238 appendix B: the SHA-1 key is the ASCII string "12345678901234567890".
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_SHA1_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def code_at(secret: str, at: dt.datetime) -> str:
    return totp.totp(secret, at.timestamp())


def patient_url(world: World) -> str:
    return f"/api/v1/patients/{world.patient.pk}/"


def sign_in(user: User) -> tuple[APIClient, dict[str, Any]]:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.json()
    return client, response.json()


def new_clinician(world: World) -> User:
    """A clinician on Sam's care team who has not set up TOTP yet."""
    doctor = UserFactory(email="newdoc@example.org")
    MembershipFactory(patient=world.patient, user=doctor, role=Role.CLINICIAN)
    return doctor


# --- the algorithm ------------------------------------------------------------------------------


@pytest.mark.parametrize(("unix_time", "expected"), RFC_SHA1_VECTORS)
def test_rfc_6238_sha1_vectors(unix_time: int, expected: str) -> None:
    assert totp.hotp(b"12345678901234567890", totp.time_step(unix_time), digits=8) == expected
    # Our 6-digit codes are the same number modulo 10^6.
    assert totp.totp(RFC_SECRET, unix_time) == expected[-6:]


def test_codes_are_accepted_within_one_step_of_drift_only() -> None:
    now = 1234567890
    for offset, accepted in [(-60, False), (-30, True), (0, True), (30, True), (60, False)]:
        code = totp.totp(RFC_SECRET, now + offset)
        assert (totp.matching_step(RFC_SECRET, code, now) is not None) is accepted, offset
    assert totp.matching_step(RFC_SECRET, "12345", now) is None
    assert totp.matching_step(RFC_SECRET, "abcdef", now) is None


def test_new_secrets_are_20_random_bytes_in_base32() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32 and secret != totp.new_secret()
    uri = totp.provisioning_uri(secret, "doc@example.org")
    assert uri.startswith("otpauth://totp/Mastline%3Adoc%40example.org?secret=" + secret)


# --- enrolment, sign-in and access --------------------------------------------------------------


def test_a_clinician_enrols_signs_in_verifies_and_reads(world: World) -> None:
    doctor = new_clinician(world)
    with time_machine.travel(T0, tick=False) as clock:
        client, body = sign_in(doctor)
        assert body["totp_required"] is False
        refused = client.get(patient_url(world))
        assert refused.status_code == 403
        assert refused.json()["code"] == "totp_required"
        assert client.get("/api/v1/auth/totp").json() == {
            "enabled": False,
            "verified": False,
            "required": True,
            "recovery_codes_left": 0,
        }

        setup = client.post("/api/v1/auth/totp/setup").json()
        assert setup["qr_svg"].startswith("<svg") and setup["secret"] in setup["otpauth_uri"]
        secret = setup["secret"]
        wrong = client.post("/api/v1/auth/totp/confirm", {"code": "000000"}, format="json")
        assert wrong.status_code == 400 and "code" in wrong.json()["fields"]
        assert client.get(patient_url(world)).status_code == 403

        confirmed = client.post(
            "/api/v1/auth/totp/confirm", {"code": code_at(secret, T0)}, format="json"
        )
        assert confirmed.status_code == 200
        recovery = confirmed.json()["recovery_codes"]
        assert len(set(recovery)) == 10
        # Stored hashed, never as given.
        stored = set(TotpRecoveryCode.objects.values_list("code_hash", flat=True))
        assert not stored & set(recovery)
        # Confirming proved possession: this session may read now.
        assert client.get(patient_url(world)).status_code == 200
        # The secret is never handed out again.
        again = client.post("/api/v1/auth/totp/setup")
        assert again.status_code == 400
        assert secret not in str(client.get("/api/v1/auth/totp").json())

        # A new sign-in must pass the second factor afresh.
        clock.move_to(T0 + dt.timedelta(minutes=2))
        client, body = sign_in(doctor)
        assert body["totp_required"] is True
        refused = client.get(patient_url(world))
        assert refused.status_code == 403
        assert refused.json()["code"] == "totp_verification_required"
        verified = client.post(
            "/api/v1/auth/totp/verify",
            {"code": code_at(secret, T0 + dt.timedelta(minutes=2))},
            format="json",
        )
        assert verified.status_code == 200, verified.json()
        assert verified.json()["method"] == "totp"
        assert client.get(patient_url(world)).status_code == 200
        assert client.get("/api/v1/auth/totp").json()["verified"] is True


def test_a_code_works_once_and_a_wrong_code_never(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        client, _ = sign_in(world.clinician)
        code = code_at(CLINICIAN_TOTP_SECRET, T0)
        wrong_code = f"{(int(code) + 1) % 10**6:06d}"
        wrong = client.post("/api/v1/auth/totp/verify", {"code": wrong_code}, format="json")
        assert wrong.status_code == 400
        assert (
            client.post("/api/v1/auth/totp/verify", {"code": code}, format="json").status_code
            == 200
        )

        other, _ = sign_in(world.clinician)
        replay = other.post("/api/v1/auth/totp/verify", {"code": code}, format="json")
        assert replay.status_code == 400
        assert replay.json()["fields"]["code"] == [
            "This code is not valid, or it was already used."
        ]
        # The code of the step before, though still within drift, is older than the one used.
        earlier = code_at(CLINICIAN_TOTP_SECRET, T0 - dt.timedelta(seconds=30))
        assert (
            other.post("/api/v1/auth/totp/verify", {"code": earlier}, format="json").status_code
            == 400
        )
        assert other.get(patient_url(world)).json()["code"] == "totp_verification_required"


def test_a_recovery_code_works_once(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        client = APIClient()
        login_verified(client, world.clinician)
        client.post(
            "/api/v1/auth/totp/disable",
            {"password": PASSWORD, "code": code_at(CLINICIAN_TOTP_SECRET, T0)},
            format="json",
        )
        secret = client.post("/api/v1/auth/totp/setup").json()["secret"]
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        recovery = client.post(
            "/api/v1/auth/totp/confirm",
            {"code": code_at(secret, T0 + dt.timedelta(minutes=1))},
            format="json",
        ).json()["recovery_codes"]

        first, _ = sign_in(world.clinician)
        used = first.post("/api/v1/auth/totp/verify", {"code": recovery[3].lower()}, format="json")
        assert used.status_code == 200
        assert used.json()["method"] == "recovery" and used.json()["recovery_codes_left"] == 9
        assert first.get(patient_url(world)).status_code == 200

        second, _ = sign_in(world.clinician)
        again = second.post("/api/v1/auth/totp/verify", {"code": recovery[3]}, format="json")
        assert again.status_code == 400
        assert second.get(patient_url(world)).status_code == 403


def test_verify_is_throttled(world: World) -> None:
    client, _ = sign_in(world.clinician)
    with override_settings(THROTTLE_RATES={**settings.THROTTLE_RATES, "totp": "3/min"}):
        codes = [
            client.post("/api/v1/auth/totp/verify", {"code": "000000"}, format="json").status_code
            for _ in range(3)
        ]
        assert set(codes) == {400}
        current = totp.totp(CLINICIAN_TOTP_SECRET, dt.datetime.now(dt.UTC).timestamp())
        throttled = client.post("/api/v1/auth/totp/verify", {"code": current}, format="json")
        assert throttled.status_code == 429
    assert client.get(patient_url(world)).status_code == 403


def test_turning_it_off_needs_the_password_and_a_code(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        client = APIClient()
        login_verified(client, world.clinician)
        code = code_at(CLINICIAN_TOTP_SECRET, T0)
        bad_password = client.post(
            "/api/v1/auth/totp/disable", {"password": "nope", "code": code}, format="json"
        )
        assert bad_password.status_code == 400 and "password" in bad_password.json()["fields"]
        bad_code = client.post(
            "/api/v1/auth/totp/disable", {"password": PASSWORD, "code": "000000"}, format="json"
        )
        assert bad_code.status_code == 400 and "code" in bad_code.json()["fields"]
        assert (
            client.post(
                "/api/v1/auth/totp/disable", {"password": PASSWORD}, format="json"
            ).status_code
            == 400
        )
        off = client.post(
            "/api/v1/auth/totp/disable", {"password": PASSWORD, "code": code}, format="json"
        )
        assert off.status_code == 204
        assert client.get(patient_url(world)).json()["code"] == "totp_required"
    world.clinician.refresh_from_db()
    assert not world.clinician.totp_enabled and world.clinician.totp_secret == ""
    assert not TotpRecoveryCode.objects.filter(user=world.clinician).exists()


def test_a_token_is_as_verified_as_the_session_that_made_it(world: World) -> None:
    unverified, _ = sign_in(world.clinician)
    refused = unverified.post("/api/v1/auth/tokens/", {"name": "script"}, format="json")
    # A session that has not passed the second factor cannot mint a token either.
    assert refused.status_code == 403
    assert refused.json()["code"] == "totp_verification_required"
    # A token from before (unverified, e.g. made before TOTP was turned on) stays unverified.
    _, raw = account_services.token_create(user=world.clinician, name="script")
    plain = {"token": raw}
    verified = APIClient()
    login_verified(verified, world.clinician)
    good = verified.post("/api/v1/auth/tokens/", {"name": "export"}, format="json").json()

    def read_with(token: str) -> Any:
        return APIClient().get(patient_url(world), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert read_with(plain["token"]).json()["code"] == "totp_verification_required"
    assert read_with(good["token"]).status_code == 200
    # A token cannot pass the second factor itself.
    by_token = APIClient().post(
        "/api/v1/auth/totp/verify",
        {"code": "000000"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {plain['token']}",
    )
    assert by_token.status_code == 400 and by_token.json()["code"] == "session_required"

    # Turning TOTP off (and on again) un-verifies every older token.
    now = dt.datetime.now(dt.UTC)
    off = verified.post(
        "/api/v1/auth/totp/disable",
        {"password": PASSWORD, "code": totp.totp(CLINICIAN_TOTP_SECRET, now.timestamp())},
        format="json",
    )
    assert off.status_code == 204
    assert read_with(good["token"]).json()["code"] == "totp_required"


# --- the rule, across the access matrix ----------------------------------------------------------


def _clinician_patient_reads(world: World) -> list[tuple[str, Rule]]:
    """Every patient-scoped GET the matrix lets a clinician read, with its rule."""
    found = []
    for rule in all_rules():
        if rule.method != "GET" or rule.expect["clinician"] != 200:
            continue
        url = reverse(rule.route, kwargs=rule.kwargs(world, "clinician"))
        if url.startswith(patient_url(world)):
            found.append((url, rule))
    return found


def test_an_unverified_clinician_session_reads_nothing(world: World) -> None:
    client = APIClient()
    client.force_login(world.clinician)  # has TOTP, never passed it
    reads = _clinician_patient_reads(world)
    assert len(reads) > 10
    for url, _rule in reads:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "totp_verification_required", url
    assert not AuditEvent.objects.exists()


def test_a_clinician_without_totp_reads_nothing(world: World) -> None:
    doctor = new_clinician(world)
    client = APIClient()
    login_verified(client, doctor)
    reads = _clinician_patient_reads(world)
    assert len(reads) > 10
    for url, _rule in reads:
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json() == {
            "code": "totp_required",
            "detail": response.json()["detail"],
            "fields": {},
        }


def test_an_owner_without_totp_is_unaffected(world: World) -> None:
    client = APIClient()
    client.force_login(world.owner)
    reads = _clinician_patient_reads(world)
    assert len(reads) > 10
    for url, rule in reads:
        assert client.get(url).status_code == rule.expect["owner"], url


def test_an_owner_who_turned_totp_on_must_pass_it(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        client, _ = sign_in(world.owner)
        secret = client.post("/api/v1/auth/totp/setup").json()["secret"]
        client.post("/api/v1/auth/totp/confirm", {"code": code_at(secret, T0)}, format="json")
        assert client.get(patient_url(world)).status_code == 200
        fresh, body = sign_in(world.owner)
        assert body["totp_required"] is True
        assert fresh.get(patient_url(world)).json()["code"] == "totp_verification_required"


def test_verified_clinician_reads_are_still_audited(world: World, client_for) -> None:
    client_for(world.clinician).get(patient_url(world))
    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_role, event.action, event.resource) == (
        world.clinician,
        "clinician",
        "read",
        "patient",
    )


# --- clinician-wide views -----------------------------------------------------------------------


class _Dashboard(APIView):
    permission_classes = [IsAuthenticated, ClinicianVerified]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


@pytest.mark.parametrize(
    ("who", "verified", "status", "code"),
    [
        ("clinician", True, 200, None),
        ("clinician", False, 403, "totp_verification_required"),
        ("new_clinician", True, 403, "totp_required"),
        ("owner", False, 200, None),
    ],
)
def test_clinician_verified_guards_clinician_wide_views(
    world: World, who: str, verified: bool, status: int, code: str | None
) -> None:
    from django.urls import path

    user = new_clinician(world) if who == "new_clinician" else getattr(world, who)
    client = APIClient()
    if verified:
        login_verified(client, user)
    else:
        client.force_login(user)
    urlconf = type("urls", (), {"urlpatterns": [path("dash", _Dashboard.as_view())]})
    with override_settings(ROOT_URLCONF=urlconf):
        response = client.get("/dash")
    assert response.status_code == status
    if code:
        assert response.json()["code"] == code


# --- one rule for every authenticated route (C5) ------------------------------------------------


def test_auth_me_says_which_step_is_missing(world: World) -> None:
    pending = APIClient()
    pending.force_login(world.clinician)  # TOTP on, code not given
    me = pending.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert {k: me.json()[k] for k in ("totp_enabled", "totp_required", "totp_verified")} == {
        "totp_enabled": True,
        "totp_required": True,
        "totp_verified": False,
    }
    verified = APIClient()
    login_verified(verified, world.clinician)
    assert verified.get("/api/v1/auth/me").json()["totp_verified"] is True
    doctor = new_clinician(world)
    unenrolled = APIClient()
    login_verified(unenrolled, doctor)
    body = unenrolled.get("/api/v1/auth/me").json()
    assert (body["totp_enabled"], body["totp_required"]) == (False, True)
    owner = APIClient()
    login_verified(owner, world.owner)
    body = owner.get("/api/v1/auth/me").json()
    assert (body["totp_enabled"], body["totp_required"], body["totp_verified"]) == (
        False,
        False,
        False,
    )


def test_a_pending_token_reads_no_patient_list_and_no_notifications(world: World) -> None:
    """The probe's finding: routes that name no patient answered a token that had not passed
    the second factor."""
    _, raw = account_services.token_create(user=world.clinician, name="old script")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for url in ("/api/v1/patients/", "/api/v1/notifications/", "/api/v1/notification-preferences"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "totp_verification_required"
        assert world.patient.display_name not in response.content.decode()
    assert client.get("/api/v1/auth/me").status_code == 200
