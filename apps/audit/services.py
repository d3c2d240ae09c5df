from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.core.throttling import client_address

from .models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address, by the same rule as the throttles (apps.core.throttling): the
    client's own X-Forwarded-For entries are never believed."""
    return client_address(request) or None


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


def audit_records(
    *, request: Any, patients_and_roles: list[tuple[Any, str]], action: str, resource: str
) -> None:
    """One event per patient shown (e.g. a clinician's list of patients), in one INSERT."""
    if not patients_and_roles:
        return
    user = getattr(request, "user", None)
    ip_address = client_ip(request)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            patient_id=patient_id,
            actor=user,
            actor_label=getattr(user, "email", ""),
            actor_role=role,
            action=action,
            resource=resource,
            ip_address=ip_address,
        )
        for patient_id, role in patients_and_roles
    )
