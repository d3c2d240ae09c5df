"""API errors speak the request's Accept-Language, falling back to English (issue 15)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation
from rest_framework.fields import Field

from tests.factories import World

pytestmark = pytest.mark.django_db

# Our own sentences (locale/), written out so a missing catalogue fails the test.
INVALID = {
    "en": ("Some fields are not valid.", "Unknown field."),
    "it": ("Alcuni campi non sono validi.", "Campo sconosciuto."),
    "de": ("Einige Felder sind ungültig.", "Unbekanntes Feld."),
    "fr": ("Certains champs ne sont pas valides.", "Champ inconnu."),
    "es": ("Algunos campos no son válidos.", "Campo desconocido."),
}
NOT_FOUND = {
    "en": "Not found.",
    "it": "Non trovato.",
    "de": "Nicht gefunden.",
    "fr": "Introuvable.",
    "es": "No encontrado.",
}


@pytest.mark.parametrize("language", list(INVALID))
def test_validation_errors_come_in_the_readers_language(
    world: World, client_for, language: str
) -> None:
    client = client_for(world.owner)
    response = client.patch(
        f"/api/v1/patients/{world.patient.pk}/",
        {"display_nmae": "Typo"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=f"{language}-XX,{language};q=0.9",
    )
    assert response.status_code == 400
    assert response["Content-Language"] == language
    detail, unknown = INVALID[language]
    assert response.json() == {
        "code": "invalid",
        "detail": detail,
        "fields": {"display_nmae": [unknown]},
    }


@pytest.mark.parametrize("language", list(INVALID))
def test_drf_field_messages_are_translated_too(world: World, client_for, language: str) -> None:
    response = client_for(world.owner).post(
        "/api/v1/patients/", {"time_zone": "UTC"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    with translation.override(language):
        required = str(Field.default_error_messages["required"])
    if language != "en":
        assert required != "This field is required."  # DRF ships this language
    assert response.json()["fields"]["display_name"] == [required]


@pytest.mark.parametrize("language", list(NOT_FOUND))
def test_not_found_comes_in_the_readers_language(client_for, world: World, language: str) -> None:
    client = client_for(world.owner)
    unknown_path = client.get("/api/v1/nothing-here/", HTTP_ACCEPT_LANGUAGE=language)
    assert unknown_path.json() == {"code": "not_found", "detail": NOT_FOUND[language], "fields": {}}


def test_an_unknown_language_falls_back_to_english(world: World, client_for) -> None:
    response = client_for(world.owner).patch(
        f"/api/v1/patients/{world.patient.pk}/",
        {"display_nmae": "Typo"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9,ja;q=0.5",
    )
    assert response.json()["detail"] == "Some fields are not valid."
    assert response["Content-Language"] == "en"


def test_the_413_speaks_german_before_anything_reads_the_body(world: World, client_for) -> None:
    with override_settings(MAX_REQUEST_BODY_BYTES=1024):
        response = client_for(world.owner).post(
            "/api/v1/patients/",
            {"display_name": "x" * 2000, "time_zone": "UTC"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="de",
        )
    assert response.status_code == 413
    assert response.json()["detail"] == "Der Inhalt der Anfrage ist größer als 1024 Bytes."


UNKNOWN_INVITATION = {
    "en": "This invitation code is not valid.",
    "it": "Questo codice di invito non è valido.",
    "de": "Dieser Einladungscode ist ungültig.",
    "fr": "Ce code d'invitation n'est pas valide.",
    "es": "Este código de invitación no es válido.",
}


@pytest.mark.parametrize("language", list(UNKNOWN_INVITATION))
def test_a_service_error_comes_in_the_readers_language(
    world: World, client_for, language: str
) -> None:
    """A sentence raised deep in a service (here: careteam.services) is translated too."""
    response = client_for(world.owner).post(
        "/api/v1/invitations/accept",
        {"code": "no-such-code"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 400
    assert response["Content-Language"] == language
    assert response.json()["fields"] == {"code": [UNKNOWN_INVITATION[language]]}
