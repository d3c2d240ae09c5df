"""The audit trail in words: every audited endpoint has a name a reader understands."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.audit import words
from apps.audit.models import AuditEvent


def _views(patterns) -> list[type]:  # type: ignore[no-untyped-def]
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None) or getattr(
                pattern.callback, "view_class", None
            )
            if view is not None:
                found.append(view)
    return found


def test_every_audited_endpoint_has_words() -> None:
    resources = {
        getattr(view, "audit_resource", None) for view in _views(get_resolver().url_patterns)
    }
    resources.discard(None)
    assert resources, "no audited view found"
    assert resources <= set(words.RESOURCES), resources - set(words.RESOURCES)


@pytest.mark.parametrize(
    ("action", "resource", "sentence"),
    [
        ("read", "clinic-overview", "Looked at the clinic overview"),
        ("read", "clinic-response", "Looked at the treatment-response report"),
        ("create", "clinical-note", "Added to the clinical notes"),
        ("delete", "dose", "Deleted from the doses"),
        ("update", "medication", "Changed the medications"),
        ("view_card", "emergency-card-link", "Opened the emergency card"),
        ("read", "something-new", "Looked at something new"),
    ],
)
def test_sentences(action: str, resource: str, sentence: str) -> None:
    assert words.summary(AuditEvent(action=action, resource=resource)) == sentence


@pytest.mark.django_db
def test_the_clinicians_trail_reads_as_sentences(world, client_for) -> None:
    clinician = client_for(world.clinician)
    clinician.get(reverse("clinic-overview", kwargs={"patient_pk": world.patient.pk}))
    trail = clinician.get(f"/api/v1/patients/{world.patient.pk}/audit/").json()
    rows = trail["results"] if isinstance(trail, dict) else trail
    assert "Looked at the clinic overview" in [row["summary"] for row in rows]
