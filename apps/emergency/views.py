"""The page a share link opens: the emergency card, without signing in.

It serves the card and nothing else, to whoever holds the link: no cookies are read for it, no
other record is reachable from it, and every view is written to the patient's audit trail. An
unknown, revoked or expired token answers the same plain 404, by the same path (the token is
always hashed and looked up), so the answer says nothing about whether a link ever existed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from apps.audit.services import audit_record

from . import selectors, services

_CSS = (Path(__file__).parent / "card.css").read_text()
_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
# No scripts, nothing loaded from anywhere; only the one stylesheet inlined in the page.
CARD_CSP = "; ".join(
    [
        "default-src 'none'",
        f"style-src 'sha256-{_CSS_HASH}'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CARD_CSP,
}


def _with_headers(response: HttpResponse) -> HttpResponse:
    for name, value in _HEADERS.items():
        response[name] = value
    return response


def _not_found() -> HttpResponse:
    return _with_headers(HttpResponse("Not found.", status=404, content_type="text/plain"))


def _wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


@require_safe
def shared_card(request: HttpRequest, token: str) -> HttpResponse:
    link = services.live_link(token)
    if link is None:
        return _not_found()
    patient = link.patient
    card = selectors.card_for(patient)
    card.pop("updated_at", None)
    card.pop("extra_triggers", None)
    services.link_viewed(link=link)
    audit_record(
        request=request,
        patient=patient,
        action="view_card",
        resource="emergency-card-link",
        object_id=str(link.pk),
    )
    if _wants_json(request):
        body = json.dumps(card, cls=DjangoJSONEncoder)
        response = HttpResponse(body, content_type="application/json")
    else:
        html = render_to_string(
            "emergency/card.html",
            {"card": card, "css": mark_safe(_CSS)},  # noqa: S308  # our file
        )
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Vary"] = "Accept"
    return _with_headers(response)
