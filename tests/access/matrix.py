"""The access matrix: what every API route answers to each kind of person.

Each app has a `rules_<app>.py` here with a `RULES` list. tests/access/test_matrix.py walks every
URL under /api/ and fails for a route × method that has no rule, so a new endpoint cannot ship
without saying who may use it.

Personas (tests/factories.World): owner, caregiver, clinician of the patient; a revoked former
caregiver; a stranger who owns another patient; anonymous.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import resolve

import tests.access
from tests.factories import PERSONAS, World

KwargsFn = Callable[[World, str], dict[str, Any]]
BodyFn = Callable[[World, str], Any]


def patient_kwargs(world: World, persona: str) -> dict[str, Any]:
    return {"patient_pk": world.patient.pk}


def no_kwargs(world: World, persona: str) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Rule:
    route: str  # the URL name
    method: str
    expect: Mapping[str, int]
    kwargs: KwargsFn = patient_kwargs
    body: BodyFn | None = None
    note: str = ""

    def __post_init__(self) -> None:
        missing = set(PERSONAS) - set(self.expect)
        assert not missing, f"{self.route} {self.method}: no expectation for {sorted(missing)}"

    @property
    def id(self) -> str:
        return f"{self.route}:{self.method}"


def expect(
    *,
    owner: int,
    caregiver: int,
    clinician: int,
    stranger: int = 404,
    revoked: int = 404,
    anonymous: int = 401,
) -> dict[str, int]:
    """Outside the care team (stranger, revoked) a patient's records do not exist: 404."""
    return {
        "owner": owner,
        "caregiver": caregiver,
        "clinician": clinician,
        "stranger": stranger,
        "revoked": revoked,
        "anonymous": anonymous,
    }


def everyone(status: int, anonymous: int | None = None) -> dict[str, int]:
    return {p: (status if p != "anonymous" or anonymous is None else anonymous) for p in PERSONAS}


@dataclass
class RuleSet:
    rules: list[Rule] = field(default_factory=list)

    def add(self, *rules: Rule) -> None:
        self.rules.extend(rules)


def all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for module in pkgutil.iter_modules(tests.access.__path__):
        if module.name.startswith("rules_"):
            rules.extend(importlib.import_module(f"tests.access.{module.name}").RULES)
    return rules


def schema_path(url: str) -> str:
    """The OpenAPI path of a URL: /api/v1/patients/3/doses/7/ -> /api/v1/patients/{patient_pk}/doses/{id}/."""
    route = "/" + resolve(url.split("?")[0]).route
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + m.group(1) + "}", route)
    return path.replace("{pk}", "{id}")
