"""The page a share link opens: the emergency card, without signing in.

It serves the card and nothing else, to whoever holds the link: no cookies are read for it, no
other record is reachable from it, and every view is written to the patient's audit trail. An
unknown, revoked or expired token answers the same plain 404, by the same path (the token is
always hashed and looked up), so the answer says nothing about whether a link ever existed.

It opens in the reader's language (the browser's Accept-Language; `?lang=de` picks another, and
the page links every language), and prints two languages side by side (`?lang=de&also=it`: the
reader's and the patient's). The card's fixed words come from the gettext catalogues, the
catalogue's words from the glossary, and the owner's own words (action plan, notes, contacts'
relations) as the owner gave them in that language, else as written: never machine-translated.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info
from django.views.decorators.http import require_safe

from apps.audit.services import audit_record
from apps.core.i18n import language_from_request

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


LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# Each language in its own words (Italiano, Deutsch, …): whoever reads the list finds theirs.
AUTONYMS = {code: get_language_info(code)["name_local"].capitalize() for code in LANGUAGE_CODES}


def _asked(value: str | None) -> str | None:
    code = (value or "").strip().lower()
    return code if code in LANGUAGE_CODES else None


def _public(card: dict) -> dict:
    for private in ("updated_at", "extra_triggers", "translations"):
        card.pop(private, None)
    return card


@require_safe
def shared_card(request: HttpRequest, token: str) -> HttpResponse:
    link = services.live_link(token)
    if link is None:
        return _not_found()
    patient = link.patient
    lang = _asked(request.GET.get("lang")) or language_from_request(request)
    also = _asked(request.GET.get("also"))
    card = _public(selectors.card_for(patient, language=lang))
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
        columns = [{"lang": lang, "card": card}]
        if also and also != lang:
            columns.append(
                {"lang": also, "card": _public(selectors.card_for(patient, language=also))}
            )
        patients_language = selectors.owner_language(patient)
        pair = patients_language if patients_language != lang else ("en" if lang != "en" else None)
        html = render_to_string(
            "emergency/card.html",
            {
                "lang": lang,
                "columns": columns,
                "languages": [(code, AUTONYMS[code]) for code in LANGUAGE_CODES],
                # Side by side with the patient's language, for travel; or, for a reader in the
                # patient's language, with English.
                "pair": pair,
                "pair_name": AUTONYMS.get(pair or "", ""),
                "css": mark_safe(_CSS),  # noqa: S308  # our file
            },
        )
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Content-Language"] = lang
    response["Vary"] = "Accept, Accept-Language"
    return _with_headers(response)
