"""GET /api/health: is every part of the service able to do its job?"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .heartbeat import BEAT, WORKER_PREFIX, last_seen


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    from server.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "transport": str(transport)}


def check_heartbeat(seen: datetime | None) -> dict[str, Any]:
    if seen is None:
        return {"ok": False, "last_seen": None, "error": "never seen"}
    age = (timezone.now() - seen).total_seconds()
    ok = age <= settings.HEARTBEAT_STALE_AFTER.total_seconds()
    result: dict[str, Any] = {"ok": ok, "last_seen": seen.isoformat(), "age_seconds": round(age)}
    if not ok:
        result["error"] = "stale"
    return result


def health_report() -> dict[str, Any]:
    database = check_database()
    checks: dict[str, Any] = {"database": database, "broker": check_broker()}
    if database["ok"]:
        checks["worker"] = check_heartbeat(last_seen(prefix=WORKER_PREFIX))
        checks["beat"] = check_heartbeat(last_seen(name=BEAT))
    else:
        unknown = {"ok": False, "last_seen": None, "error": "database unavailable"}
        checks["worker"] = dict(unknown)
        checks["beat"] = dict(unknown)
    healthy = all(check["ok"] for check in checks.values())
    return {"status": "ok" if healthy else "degraded", "checks": checks}


_Check = inline_serializer(
    "HealthCheck",
    {
        "ok": serializers.BooleanField(),
        "error": serializers.CharField(required=False),
        "last_seen": serializers.DateTimeField(required=False, allow_null=True),
        "age_seconds": serializers.IntegerField(required=False),
    },
)


class HealthView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        tags=["ops"],
        summary="Service health",
        description=(
            "200 when the database and broker answer and the Celery worker and beat have shown "
            "signs of life recently; 503 otherwise. JSON either way, for load balancers and people."
        ),
        responses={
            (code, "application/json"): inline_serializer(
                f"Health{code}",
                {
                    "status": serializers.ChoiceField(choices=["ok", "degraded"]),
                    "checks": inline_serializer(
                        f"HealthChecks{code}",
                        {"database": _Check, "broker": _Check, "worker": _Check, "beat": _Check},
                    ),
                },
            )
            for code in (200, 503)
        },
    )
    def get(self, request: Request) -> Response:
        report = health_report()
        return Response(report, status=200 if report["status"] == "ok" else 503)
