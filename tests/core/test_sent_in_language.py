"""What is sent to a person comes in that person's language (User.language), whoever's request or
worker sends it: the push a phone shows, the notification email, the password-reset and the
invitation emails. Each is rendered for an Italian and an English reader of the same patient and
must differ, with the Italian reading Italian."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.utils import translation

from apps.careteam import services as careteam_services
from apps.notifications.delivery import ACTION_TITLES, GENERIC_TEXT, email_message, push_payload
from apps.notifications.models import Channel, Delivery, Urgency
from tests.factories import World
from tests.notifications.helpers import notify

pytestmark = pytest.mark.django_db


def _readers(world: World) -> tuple:
    italian, english = world.caregiver, world.clinician
    italian.language, english.language = "it", "en"
    italian.save()
    english.save()
    return italian, english


@pytest.mark.parametrize("urgency", Urgency.values)
def test_every_push_and_email_comes_in_the_recipients_language(world: World, urgency) -> None:
    italian, english = _readers(world)
    actions = [{"action": code, "title": "?"} for code in ACTION_TITLES][:2]
    sent = {}
    # The request that triggers it may be in any language: the recipient's wins.
    with translation.override("de"):
        for reader in (italian, english):
            notification = notify(
                reader,
                world.patient,
                urgency=urgency,
                dedupe_key=f"walk:{reader.pk}:{urgency}",
                actions=actions,
            )
            delivery = Delivery(
                notification=notification, channel=Channel.EMAIL, idempotency_key=f"k{reader.pk}"
            )
            email = email_message(delivery)
            sent[reader.language] = (json.loads(push_payload(notification)), email)
    (push_it, email_it), (push_en, email_en) = sent["it"], sent["en"]
    with translation.override("it"):
        assert push_it["body"] == str(GENERIC_TEXT[Urgency(urgency)])
    assert push_it["body"] != push_en["body"]
    assert "Mastline" in push_en["body"] and "Mastline" in push_it["body"]
    assert [a["title"] for a in push_it["actions"]] == ["L'ho preso", "Ricordamelo dopo"]
    assert [a["title"] for a in push_en["actions"]] == ["I took it", "Remind me later"]
    # What the phone says once a button has worked, too (the service worker has no catalogue).
    assert push_it["actions"][0]["done"][0] == "Dose registrata"
    assert push_en["actions"][1]["done"] == [
        "Reminder moved",
        "We will remind you again in an hour.",
    ]
    assert email_it.subject.startswith("Mastline:") and email_it.subject != email_en.subject
    assert "Apri Mastline per vederla" in email_it.body
    assert "Open Mastline to see it" in email_en.body


def test_every_button_has_its_words_in_every_language() -> None:
    for language in ("it", "de", "fr", "es"):
        with translation.override(language):
            for code, title in ACTION_TITLES.items():
                with translation.override("en"):
                    english = str(title)
                assert str(title) != english, (language, code)


def test_the_password_reset_email_is_in_the_accounts_language(world: World, anon) -> None:
    world.owner.language = "it"
    world.owner.save()
    response = anon.post(
        "/api/v1/auth/password/reset",
        {"email": world.owner.email},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code in (200, 202, 204), response.content
    (sent,) = mail.outbox
    assert sent.subject == "Reimposta la password di Mastline"
    assert sent.body.startswith(f"Ciao {world.owner.display_name},")


def test_the_invitation_email_is_in_the_invitees_language_or_the_inviters(
    world: World, django_capture_on_commit_callbacks
) -> None:
    world.owner.language = "de"
    world.owner.save()
    world.stranger.language = "fr"
    world.stranger.save()
    with django_capture_on_commit_callbacks(execute=True):
        careteam_services.invitation_create(
            patient=world.patient, invited_by=world.owner, email="new@example.org", role="caregiver"
        )
        careteam_services.invitation_create(
            patient=world.patient,
            invited_by=world.owner,
            email=world.stranger.email,
            role="clinician",
        )
    german, french = mail.outbox
    assert "lädt dich in ein Betreuungsteam auf Mastline ein" in german.subject
    assert "als " in german.body and "UTC" in german.body
    assert "vous invite dans une équipe de soins sur Mastline" in french.subject


def test_the_inbox_texts_of_alerts_come_in_the_recipients_language() -> None:
    import datetime as dt

    from apps.epinephrine import messages

    def texts() -> list[str]:
        expiry = messages.expiry("Sam", "Jext", dt.date(2026, 12, 15), 3)
        check = messages.carry_check("Sam", dt.date(2026, 12, 15), again=False)
        return [expiry.title, expiry.body, check.title, check.body]

    with translation.override("en"):
        english = texts()
    with translation.override("it"):
        italian = texts()
    assert all(a != b for a, b in zip(english, italian, strict=True))
