"""Each account reads Mastline in its own language (issue 15): chosen at sign-up from the
browser, changeable later, and what a notification or email is rendered in."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.serializers import UserSerializer
from apps.core.i18n import in_language, language_of
from tests.factories import PASSWORD, UserFactory, World

pytestmark = pytest.mark.django_db


def sign_up(accept_language: str | None, **extra: str) -> dict:
    client = APIClient(enforce_csrf_checks=True)
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/register",
        {"email": "new@example.org", "password": PASSWORD, "display_name": "Giulia", **extra},
        format="json",
        HTTP_X_CSRFTOKEN=token,
        **headers,
    )
    assert response.status_code == 202, response.json()
    return UserSerializer(User.objects.get(email="new@example.org")).data


@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("it-IT,it;q=0.9,en;q=0.8", "it"),
        ("de-CH", "de"),
        ("fr-CA,fr;q=0.9", "fr"),
        ("es-419,es;q=0.9", "es"),
        ("en-GB", "en"),
        ("pt-BR,pt;q=0.9", "en"),  # not one of ours: English
        (None, "en"),
    ],
)
def test_a_new_account_takes_the_browsers_language(
    accept_language: str | None, language: str
) -> None:
    assert sign_up(accept_language)["language"] == language
    assert User.objects.get(email="new@example.org").language == language


def test_a_language_given_at_sign_up_wins_over_the_browser() -> None:
    assert sign_up("de", language="fr")["language"] == "fr"


def test_the_language_is_changed_on_the_account(world: World, client_for) -> None:
    client = client_for(world.caregiver)
    changed = client.patch("/api/v1/auth/me", {"language": "it"}, format="json")
    assert changed.status_code == 200 and changed.json()["language"] == "it"
    world.caregiver.refresh_from_db()
    assert world.caregiver.language == "it"
    refused = client.patch("/api/v1/auth/me", {"language": "pt"}, format="json")
    assert refused.status_code == 400 and "language" in refused.json()["fields"]
    assert client.get("/api/v1/auth/me").json()["language"] == "it"


def test_each_recipient_is_rendered_in_their_own_language(world: World) -> None:
    """What a worker sends a caregiver set to Italian and a clinician set to English of the same
    patient, whatever language the sending process has active."""
    caregiver = UserFactory(email="nonna@example.org", language="it")
    clinician = UserFactory(email="dr@example.org", language="en")
    with translation.override("de"):
        with in_language(language_of(caregiver)) as chosen:
            assert chosen == "it"
            assert gettext("Not found.") == "Non trovato."
        with in_language(language_of(clinician)):
            assert gettext("Not found.") == "Not found."
        assert translation.get_language() == "de"  # restored
    assert language_of(None) == "en"
    with in_language("es-MX") as chosen:
        assert chosen == "es" and gettext("Unknown field.") == "Campo desconocido."
