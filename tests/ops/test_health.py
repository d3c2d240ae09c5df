"""/api/health tells a load balancer and a person whether every part is alive."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.ops.heartbeat import BEAT, WORKER_PREFIX, record_heartbeat
from server.celery import app as celery_app

pytestmark = pytest.mark.django_db


def beat_and_worker_alive() -> None:
    record_heartbeat(BEAT)
    record_heartbeat(f"{WORKER_PREFIX}celery@host")


def test_all_well_is_200(client) -> None:
    beat_and_worker_alive()
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "broker": True,
        "worker": True,
        "beat": True,
    }
    assert response["Cache-Control"] == "no-store"


def test_never_seen_worker_and_beat_is_503(client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["worker"] == {"ok": False, "last_seen": None, "error": "never seen"}
    assert checks["beat"]["ok"] is False


def test_a_silent_worker_turns_health_503_after_two_minutes(client) -> None:
    beat_and_worker_alive()
    with time_machine.travel(timezone.now() + timedelta(seconds=90)):
        record_heartbeat(BEAT)  # beat keeps ticking; the worker has gone quiet
        assert client.get("/api/health").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=150)):
        record_heartbeat(BEAT)
        response = client.get("/api/health")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["ok"] is False and worker["error"] == "stale" and worker["age_seconds"] >= 150


def test_an_unreachable_broker_is_503(client, monkeypatch: pytest.MonkeyPatch) -> None:
    beat_and_worker_alive()
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False
