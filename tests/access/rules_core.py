"""Foundation endpoints: accounts, patients, care team, audit, health."""

from __future__ import annotations

from typing import Any

from apps.accounts import services as account_services
from apps.careteam import services as careteam_services
from apps.careteam.models import Membership, Role
from apps.ops.heartbeat import BEAT, WORKER_PREFIX, record_heartbeat
from tests.factories import PASSWORD, MembershipFactory, PatientFactory, UserFactory, World

from .matrix import Rule, everyone, expect, no_kwargs


def _token(world: World, persona: str) -> dict[str, Any]:
    token, _ = account_services.token_create(user=world.owner, name="laptop")
    return {"pk": token.pk}


def _patient(world: World, persona: str) -> dict[str, Any]:
    return {"pk": world.patient.pk}


def _caregiver_membership(world: World, persona: str) -> dict[str, Any]:
    # A second caregiver, so revoking or re-roling them leaves the personas intact.
    extra = UserFactory(email="aunt@example.org")
    membership = MembershipFactory(patient=world.patient, user=extra, role=Role.CAREGIVER)
    return {"patient_pk": world.patient.pk, "pk": membership.pk}


def _invitation(world: World, persona: str) -> dict[str, Any]:
    invitation, _ = careteam_services.invitation_create(
        patient=world.patient,
        invited_by=world.owner,
        email="grandpa@example.org",
        role=Role.CAREGIVER,
    )
    return {"patient_pk": world.patient.pk, "pk": invitation.pk}


def _code_for(world: World, persona: str) -> dict[str, Any]:
    """An invitation to somebody else's patient, addressed to this persona."""
    host = UserFactory(email="host@example.org")
    other = PatientFactory(display_name="Host's child")
    Membership.objects.create(patient=other, user=host, role=Role.OWNER)
    user = world.user(persona)
    email = user.email if user else "nobody@example.org"
    _, code = careteam_services.invitation_create(
        patient=other, invited_by=host, email=email, role=Role.CAREGIVER
    )
    return {"code": code}


def _healthy(world: World, persona: str) -> dict[str, Any]:
    record_heartbeat(BEAT)
    record_heartbeat(f"{WORKER_PREFIX}test")
    return {}


def _login_body(world: World, persona: str) -> dict[str, Any]:
    return {"email": world.owner.email, "password": PASSWORD}


anyone_signed_in = everyone(200, anonymous=401)

RULES = [
    # --- accounts ---------------------------------------------------------------------------
    Rule("auth-csrf", "GET", everyone(200), no_kwargs),
    Rule(
        "auth-register",
        "POST",
        everyone(202),
        no_kwargs,
        body=lambda w, p: {
            "email": f"new-{p}@example.org",
            "password": "a long fresh passphrase",
            "display_name": "New",
        },
    ),
    Rule("auth-login", "POST", everyone(200), no_kwargs, body=_login_body),
    Rule("auth-logout", "POST", everyone(204, anonymous=401), no_kwargs),
    Rule("auth-me", "GET", anyone_signed_in, no_kwargs),
    Rule(
        "auth-me",
        "PATCH",
        anyone_signed_in,
        no_kwargs,
        body=lambda w, p: {"display_name": "Renamed"},
    ),
    Rule(
        "auth-password-change",
        "POST",
        everyone(200, anonymous=401),
        no_kwargs,
        body=lambda w, p: {"old_password": PASSWORD, "new_password": "another long passphrase"},
    ),
    Rule(
        "auth-password-reset",
        "POST",
        everyone(202),
        no_kwargs,
        body=lambda w, p: {"email": w.owner.email},
    ),
    Rule(
        "auth-password-reset-confirm",
        "POST",
        everyone(400),
        no_kwargs,
        body=lambda w, p: {"uid": "x", "token": "y", "new_password": "another long passphrase"},
        note="a forged link is refused for everyone; tests/accounts covers the real one",
    ),
    Rule("token-list", "GET", anyone_signed_in, no_kwargs),
    Rule(
        "token-list",
        "POST",
        everyone(201, anonymous=401),
        no_kwargs,
        body=lambda w, p: {"name": "script"},
    ),
    Rule(
        "token-detail",
        "DELETE",
        expect(owner=204, caregiver=404, clinician=404),
        _token,
        note="a token is its user's alone",
    ),
    # --- patients ---------------------------------------------------------------------------
    Rule("patient-list", "GET", anyone_signed_in, no_kwargs),
    Rule(
        "patient-list",
        "POST",
        everyone(201, anonymous=401),
        no_kwargs,
        body=lambda w, p: {"display_name": "Newborn", "time_zone": "Europe/Rome"},
    ),
    Rule("patient-detail", "GET", expect(owner=200, caregiver=200, clinician=200), _patient),
    Rule(
        "patient-detail",
        "PATCH",
        expect(owner=200, caregiver=403, clinician=403),
        _patient,
        body=lambda w, p: {"display_name": "Samuel"},
    ),
    Rule("patient-detail", "DELETE", expect(owner=204, caregiver=403, clinician=403), _patient),
    # --- care team --------------------------------------------------------------------------
    Rule("member-list", "GET", expect(owner=200, caregiver=200, clinician=200)),
    Rule(
        "member-detail",
        "PATCH",
        expect(owner=200, caregiver=403, clinician=403),
        _caregiver_membership,
        body=lambda w, p: {"role": "clinician"},
    ),
    Rule(
        "member-detail",
        "DELETE",
        expect(owner=204, caregiver=403, clinician=403),
        _caregiver_membership,
    ),
    Rule(
        "member-leave",
        "POST",
        expect(owner=400, caregiver=204, clinician=204),
        note="the only owner cannot leave (it would orphan the record)",
    ),
    Rule("invitation-list", "GET", expect(owner=200, caregiver=404, clinician=404)),
    Rule(
        "invitation-list",
        "POST",
        expect(owner=201, caregiver=404, clinician=404),
        body=lambda w, p: {"email": "grandma@example.org", "role": "caregiver"},
    ),
    Rule(
        "invitation-detail", "DELETE", expect(owner=204, caregiver=404, clinician=404), _invitation
    ),
    Rule("invitation-preview", "POST", everyone(200, anonymous=401), no_kwargs, body=_code_for),
    Rule("invitation-accept", "POST", everyone(201, anonymous=401), no_kwargs, body=_code_for),
    Rule("invitation-decline", "POST", everyone(204, anonymous=401), no_kwargs, body=_code_for),
    # --- audit ------------------------------------------------------------------------------
    Rule(
        "audit-list",
        "GET",
        expect(owner=200, caregiver=404, clinician=200),
        note="clinicians see the clinical part of the trail only (tests/careteam)",
    ),
    # --- offline sync -----------------------------------------------------------------------
    Rule("change-feed", "GET", expect(owner=200, caregiver=200, clinician=200)),
    # --- operations -------------------------------------------------------------------------
    Rule("health", "GET", everyone(200), _healthy),
]


# --- two-step sign-in (TOTP) --------------------------------------------------------------------
# Only the world's clinician has TOTP on (tests.factories.build_world): setting it up again is
# refused for them, verifying and turning it off work only for them.


def _totp_answers(status: int, *, clinician: int) -> dict[str, int]:
    return {**everyone(status, anonymous=401), "clinician": clinician}


def _current_code(world: World, persona: str) -> dict[str, Any]:
    import time

    from apps.accounts import totp
    from tests.factories import CLINICIAN_TOTP_SECRET

    return {"code": totp.totp(CLINICIAN_TOTP_SECRET, time.time())}


def _code_after_setup(world: World, persona: str) -> dict[str, Any]:
    """Starts an enrolment for a persona without TOTP and answers its app's current code."""
    import time

    from apps.accounts import totp

    user = world.user(persona)
    if user is None or user.totp_enabled:
        return {"code": "000000"}
    secret, _ = account_services.totp_setup(user=user)
    return {"code": totp.totp(secret, time.time())}


RULES += [
    Rule("auth-totp", "GET", anyone_signed_in, no_kwargs),
    Rule(
        "auth-totp-setup",
        "POST",
        _totp_answers(200, clinician=400),
        no_kwargs,
        note="refused while TOTP is on (turn it off first)",
    ),
    Rule(
        "auth-totp-confirm",
        "POST",
        _totp_answers(200, clinician=400),
        no_kwargs,
        body=_code_after_setup,
    ),
    Rule(
        "auth-totp-verify",
        "POST",
        _totp_answers(400, clinician=200),
        no_kwargs,
        body=_current_code,
        note="400 without TOTP on",
    ),
    Rule(
        "auth-totp-disable",
        "POST",
        _totp_answers(400, clinician=204),
        no_kwargs,
        body=lambda w, p: {"password": PASSWORD, **_current_code(w, p)},
    ),
]
