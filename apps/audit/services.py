from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address. X-Forwarded-For is believed only when TRUST_X_FORWARDED_FOR is set
    (behind our own proxy); otherwise anyone could write any address into the trail."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    request: Any,
    patient: Any,
    action: str,
    resource: str,
    object_id: str = "",
    role: str = "",
) -> AuditEvent:
    user = getattr(request, "user", None)
    authenticated = user is not None and bool(getattr(user, "is_authenticated", False))
    return AuditEvent.objects.create(
        patient=patient,
        actor=user if authenticated else None,
        actor_label=getattr(user, "email", "anonymous") if authenticated else "anonymous",
        actor_role=role,
        action=action,
        resource=resource,
        object_id=object_id,
        ip_address=client_ip(request),
    )
