"""Every API route × method × persona answers as its rule says (see matrix.py)."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from apps.careteam import access
from apps.careteam.models import Role
from tests.factories import PERSONAS, World, build_world, enable_totp, login_verified

from .matrix import Rule, all_rules, schema_path

_IGNORED_METHODS = {"OPTIONS", "HEAD", "TRACE"}
# Documentation of the API itself: public, cacheable, and covered by tests/core/test_schema.py.
_NOT_IN_MATRIX = {"schema", "api-docs", "api-redoc"}


def _methods(callback: Any) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a ViewSet route: the router's method → action map, less refused methods
        allowed = callback.cls.http_method_names
        return {method.upper() for method in actions if method in allowed}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return {"GET"}
    return {
        name.upper()
        for name in view_class.http_method_names
        if hasattr(view_class, name) and name.upper() not in _IGNORED_METHODS
    }


def api_routes() -> dict[str, set[str]]:
    """URL name -> methods, for every route under /api/."""
    found: dict[str, set[str]] = {}

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/") and pattern.name not in _NOT_IN_MATRIX:
                    assert pattern.name, f"the API route {route} needs a name to join the matrix"
                    found.setdefault(pattern.name, set()).update(
                        _methods(pattern.callback) - _IGNORED_METHODS
                    )

    walk(get_resolver().url_patterns, "")
    return found


RULES = all_rules()


def test_every_route_and_method_has_a_rule() -> None:
    routes = api_routes()
    declared = {(rule.route, rule.method) for rule in RULES}
    existing = {(name, method) for name, methods in routes.items() for method in methods}
    assert not existing - declared, (
        f"add these to a tests/access/rules_*.py: {sorted(existing - declared)}"
    )
    assert not declared - existing, (
        f"rules for routes that do not exist: {sorted(declared - existing)}"
    )
    assert len(declared) == len(RULES), "one rule per route and method"


@functools.cache
def _schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def assert_documented(url: str, method: str, status: int) -> None:
    """The answer's status is one the OpenAPI schema lists for the operation (the schema's
    status-code conformance, checked on every case of the matrix)."""
    path = schema_path(url)
    operation = _schema()["paths"][path][method.lower()]
    assert str(status) in operation["responses"], (
        f"{method} {path} answered {status}, the schema lists {sorted(operation['responses'])}"
    )


def run_case(rule: Rule, persona: str, world: World | None = None) -> tuple[int, Any]:
    """Runs one case; without a world it builds one and rolls it back afterwards."""
    status, data, _url = run_case_at(rule, persona, world)
    return status, data


def run_case_at(rule: Rule, persona: str, world: World | None = None) -> tuple[int, Any, str]:
    """`run_case`, also giving the URL it asked (the rule's kwargs may create records, so they
    are asked for once)."""
    if world is None:
        with transaction.atomic():
            result = run_case_at(rule, persona, build_world())
            transaction.set_rollback(True)
        return result
    client = APIClient()
    user = world.user(persona)
    if user is not None:
        login_verified(client, user)  # the clinician passes TOTP, as clinicians must
    url = reverse(rule.route, kwargs=rule.kwargs(world, persona))
    body = rule.body(world, persona) if rule.body else None
    payload = "" if body is None else json.dumps(body)
    response = client.generic(rule.method, url, data=payload, content_type="application/json")
    return response.status_code, getattr(response, "data", None), url


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_access(rule: Rule, persona: str) -> None:
    world = build_world()
    status, data, url = run_case_at(rule, persona, world)
    assert status == rule.expect[persona], f"{rule.id} as {persona}: {status} {data}"
    assert_documented(url, rule.method, status)


@pytest.mark.django_db
def test_the_matrix_notices_a_loosened_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give caregivers the power to manage the care team: the matrix must disagree."""
    loosened = dict(access.ROLE_CAPABILITIES)
    loosened[Role.CAREGIVER] = loosened[Role.CAREGIVER] | {access.Capability.MANAGE_CARE_TEAM}
    monkeypatch.setattr(access, "ROLE_CAPABILITIES", loosened)
    mismatches = []
    for rule in RULES:
        if rule.route.startswith("invitation-list"):
            status, _ = run_case(rule, "caregiver")
            if status != rule.expect["caregiver"]:
                mismatches.append(rule.id)
    assert mismatches == ["invitation-list:GET", "invitation-list:POST"]


@pytest.mark.django_db
def test_the_matrix_notices_a_tightened_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take reading the patient away from clinicians: the matrix must disagree."""
    tightened = dict(access.ROLE_CAPABILITIES)
    tightened[Role.CLINICIAN] = tightened[Role.CLINICIAN] - {access.Capability.VIEW_PATIENT}
    monkeypatch.setattr(access, "ROLE_CAPABILITIES", tightened)
    rule = next(r for r in RULES if r.id == "patient-detail:GET")
    status, _ = run_case(rule, "clinician")
    assert status == 404 != rule.expect["clinician"]


# --- signed in, second factor pending -------------------------------------------------------------

# What a signed-in person may do before the second factor (C5): see who they are, get a CSRF
# token, sign out, and enrol in or pass two-step sign-in. Nothing else.
SECOND_FACTOR_ALLOW_LIST = {
    "auth-me",
    "auth-csrf",
    "auth-logout",
    "auth-totp",
    "auth-totp-setup",
    "auth-totp-confirm",
    "auth-totp-verify",
    "auth-totp-disable",
}
# Routes for people who are not signed in (anonymous gets in too): the second factor is moot.
SIGNED_IN_RULES = [
    rule
    for rule in RULES
    if rule.expect["anonymous"] in (401, 403) and rule.route not in SECOND_FACTOR_ALLOW_LIST
]
PENDING_PERSONAS = {
    # An owner who turned TOTP on, signed in with the password, has not given a code yet.
    "second_factor_pending": ("owner", "totp_verification_required"),
    # A clinician who never enrolled: clinicians must.
    "clinician_without_totp": ("clinician", "totp_required"),
}


def run_pending_case(rule: Rule, persona: str, world: World) -> tuple[int, Any, str]:
    as_persona, _ = PENDING_PERSONAS[persona]
    user = world.user(as_persona)
    assert user is not None
    client = APIClient()
    if persona == "second_factor_pending":
        enable_totp(user)
        client.force_login(user)  # the password step only
    else:
        user.totp_secret, user.totp_confirmed_at = "", None
        user.save(update_fields=["totp_secret", "totp_confirmed_at"])
        login_verified(client, user)  # as verified as an account without TOTP can be
    url = reverse(rule.route, kwargs=rule.kwargs(world, as_persona))
    body = rule.body(world, as_persona) if rule.body else None
    payload = "" if body is None else json.dumps(body)
    response = client.generic(rule.method, url, data=payload, content_type="application/json")
    return response.status_code, getattr(response, "data", None), url


def test_the_pending_persona_meets_every_signed_in_route() -> None:
    assert len(SIGNED_IN_RULES) > 100
    routes = {rule.route for rule in SIGNED_IN_RULES}
    # The routes the probe found open to a pending second factor are all in it.
    assert {
        "patient-list",
        "notification-list",
        "notification-preferences",
        "notification-action",  # took-it, remind-later, …
        "token-list",
    } <= routes


@pytest.mark.django_db
@pytest.mark.parametrize("persona", sorted(PENDING_PERSONAS))
@pytest.mark.parametrize("rule", SIGNED_IN_RULES, ids=lambda rule: rule.id)
def test_second_factor_pending(rule: Rule, persona: str) -> None:
    """Every signed-in route but the allow-list answers 403 with the code the app handles, and
    no audit event, no write: the request never reaches the view."""
    from apps.audit.models import AuditEvent

    world = build_world()
    before = AuditEvent.objects.count()
    status, data, url = run_pending_case(rule, persona, world)
    code = PENDING_PERSONAS[persona][1]
    assert (status, (data or {}).get("code")) == (403, code), f"{rule.id} as {persona}: {data}"
    assert_documented(url, rule.method, status)
    assert AuditEvent.objects.count() == before
