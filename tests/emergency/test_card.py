"""The emergency card: assembled from the record, editable by owners, shared by a revocable
link that shows the card — and only the card — to anyone logged out."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import time_machine
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import AuditEvent
from apps.diary.models import AnaphylaxisEpisode, LabResult, Trigger, TriggerExposure
from apps.emergency.models import CardShareLink
from apps.medications import services as medication_services
from tests.factories import World

PLAN = "Epinephrine 0.3 mg into the outer thigh, call 112, lie down with legs raised."


def _card_url(world: World, rest: str = "") -> str:
    return f"/api/v1/patients/{world.patient.pk}/emergency-card{rest}"


def _fill(world: World) -> None:
    patient = world.patient
    patient.sm_subtype = "ISM"
    patient.kit_d816v_status = "positive"
    patient.emergency_contacts = [{"name": "Pat", "relation": "parent", "phone": "+39 333 1"}]
    patient.save()
    now = timezone.now()
    LabResult.objects.create(
        patient=patient,
        analyte="tryptase",
        value=Decimal("21.5"),
        sampled_at=now - dt.timedelta(days=90),
    )
    episode = AnaphylaxisEpisode.objects.create(patient=patient, onset_at=now)
    LabResult.objects.create(  # drawn during an episode: not the baseline
        patient=patient, analyte="tryptase", value=Decimal("48"), sampled_at=now, episode=episode
    )
    for name, paused in (("Cetirizine", False), ("Montelukast", True)):
        medication = medication_services.medication_create(
            patient=patient,
            created_by=world.owner,
            name=name,
            dose="10",
            dose_unit="mg",
            start_date=dt.date(2024, 1, 1),
            regimen_kind="as_needed",
        )
        if paused:
            medication_services.medication_pause(medication=medication)
    TriggerExposure.objects.create(
        patient=patient, occurred_at=now, trigger=Trigger.objects.filter(patient=None).first()
    )


def test_the_card_is_assembled_from_the_record(world: World, client_for) -> None:
    _fill(world)
    client = client_for(world.owner)
    response = client.patch(
        _card_url(world),
        {"action_plan": PLAN, "drug_intolerances": ["NSAIDs"], "extra_triggers": ["Heat"]},
    )
    assert response.status_code == 200, response.data
    card = client_for(world.clinician).get(_card_url(world)).data
    assert card["diagnosis"] == "Indolent systemic mastocytosis"
    assert card["kit_d816v"] == "KIT D816V detected"
    assert card["baseline_tryptase"]["value"] == "21.5"
    assert card["baseline_tryptase"]["unit"] == "ng/mL"
    assert [m["name"] for m in card["medicines"]] == ["Cetirizine"]  # paused ones are not current
    assert card["medicines"][0]["dose"] == "10 mg"
    assert card["known_triggers"][-1] == "Heat" and len(card["known_triggers"]) == 2
    assert card["drug_intolerances"] == ["NSAIDs"]
    assert card["action_plan"] == PLAN
    assert card["emergency_contacts"][0]["phone"] == "+39 333 1"
    bad = client.patch(_card_url(world), {"drug_intolerances": "NSAIDs", "colour": "red"})
    assert bad.status_code == 400
    assert set(bad.data["fields"]) >= {"colour"}


def _link(world: World, client: APIClient, **body: Any) -> dict[str, Any]:
    response = client.post(_card_url(world, "/links/"), {"label": "wallet", **body})
    assert response.status_code == 201, response.data
    return dict(response.data)


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_a_share_link_shows_the_card_logged_out_and_is_audited(
    world: World,
    client_for,
    anon,
) -> None:
    client_for(world.owner).patch(_card_url(world), {"action_plan": PLAN})
    created = _link(world, client_for(world.owner))
    assert created["qr_svg"].startswith("<svg")
    token = created["url"].rsplit("/", 1)[1]
    assert len(token) >= 43
    page = anon.get(_path(created["url"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert PLAN in html and "Sam" in html
    assert "<script" not in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    csp = page["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "@page{size:85.6mm 54mm" in html  # the wallet-card print layout
    as_json = anon.get(_path(created["url"]) + "?format=json")
    assert as_json["Content-Type"] == "application/json"
    assert as_json.json()["action_plan"] == PLAN
    views = AuditEvent.objects.filter(patient=world.patient, action="view_card")
    assert views.count() == 2
    assert {(e.actor_id, e.actor_label) for e in views} == {(None, "anonymous")}
    # Nothing on the link itself leaks the token; only its hash is kept.
    assert token not in str(CardShareLink.objects.values().get())
    listed = client_for(world.owner).get(_card_url(world, "/links/")).data["results"]
    assert listed[0]["views"] == 2 and "url" not in listed[0]


def test_revoked_expired_and_unknown_links_answer_the_same_404(
    world: World,
    client_for,
    anon,
) -> None:
    owner = client_for(world.owner)
    revoked = _link(world, owner)
    soon = _link(world, owner, expires_at=(timezone.now() + dt.timedelta(hours=1)).isoformat())
    assert anon.get(_path(revoked["url"])).status_code == 200
    assert owner.delete(_card_url(world, f"/links/{revoked['id']}/")).status_code == 204
    assert owner.delete(_card_url(world, f"/links/{revoked['id']}/")).status_code == 204
    unknown = anon.get("/card/" + "A" * 43)
    answers = [anon.get(_path(revoked["url"])), unknown]
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        answers.append(anon.get(_path(soon["url"])))
    for answer in answers:
        assert answer.status_code == 404
        assert answer.content == unknown.content
        assert answer["Content-Type"] == unknown["Content-Type"]
    assert AuditEvent.objects.filter(action="view_card").count() == 1
    past = owner.post(_card_url(world, "/links/"), {"expires_at": "2020-01-01T00:00:00Z"})
    assert past.status_code == 400


def _api_paths(world: World, token: str) -> list[str]:
    """Every route under /api/, its parameters filled: the patient's id where one is asked
    for, the token wherever a string fits, a random id elsewhere."""
    paths: list[str] = []

    def fill(route: str) -> str:
        def one(match: re.Match[str]) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            if name == "patient_pk":
                return str(world.patient.pk)
            if converter == "uuid":
                return str(uuid.uuid4())
            if converter == "int":
                return "1"
            return token

        return re.sub(r"<(?:(\w+):)?(\w+)>", one, route)

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/") and "schema" not in route and "docs" not in route:
                    paths.append("/" + fill(route))

    walk(get_resolver().url_patterns, "")
    return paths


def test_a_card_token_opens_nothing_else(world: World, client_for) -> None:
    client_for(world.owner).patch(_card_url(world), {"action_plan": PLAN})
    created = _link(world, client_for(world.owner))
    token = created["url"].rsplit("/", 1)[1]
    secrets_of_the_patient = [str(world.patient.pk), PLAN, world.patient.display_name]
    paths = _api_paths(world, token)
    assert len(paths) > 40
    attempts = {
        "bearer": {"HTTP_AUTHORIZATION": f"Bearer {token}"},
        "session": {},
        "query": {},
    }
    for how, extra in attempts.items():
        client = APIClient()
        if how == "session":
            client.cookies["sessionid"] = token
        for path in paths:
            url = f"{path}?token={token}&access_token={token}" if how == "query" else path
            for method in ("get", "post"):
                response = getattr(client, method)(url, **extra)
                body = response.content.decode(errors="replace")
                where = f"{how} {method.upper()} {path}: {response.status_code}"
                if response.status_code == 200:  # public answers (health, CSRF cookie)
                    assert "/patients/" not in path, where
                for secret in secrets_of_the_patient:
                    assert secret not in body, where
                if "/patients/" in path:
                    assert response.status_code in (401, 404), where
    # The card page itself answers to GET only, and a token in another position opens nothing.
    anon = APIClient()
    assert anon.post(_path(created["url"])).status_code == 405
    deeper = anon.get(_path(created["url"]) + "/links")  # the PWA's shell, nothing more
    shell = deeper.getvalue() if deeper.streaming else deeper.content
    assert PLAN.encode() not in shell
    assert (
        PLAN
        not in anon.get(
            f"/api/v1/patients/{world.patient.pk}/emergency-card?token={token}"
        ).content.decode()
    )
