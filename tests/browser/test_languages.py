"""The app in each of its languages: a browser that asks for German opens in German before
anyone signs in; the account's language (the picker in Your account) takes over after, loads only
its own catalogue, and stays on the next start; every screen fits 360 px and passes axe in
Italian, German, French and Spanish (longer words than English)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.app_helpers import go
from tests.browser.conftest import SMALL_PHONE
from tests.browser.test_screens import SIGNED_IN, _records, demo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("healthy_service")]
__all__ = ["demo"]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# A heading of each language's Today and Your account screens (frontend/src/locales).
TODAY = {"en": "Today", "it": "Oggi", "de": "Heute", "fr": "Aujourd'hui", "es": "Hoy"}
ACCOUNT = {"it": "Il tuo account", "de": "Dein Konto", "fr": "Votre compte", "es": "Tu cuenta"}


def _sign_in(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/")
    page.locator("input[type=email]").fill(email)
    page.locator("input[type=password]").fill(password)
    page.locator("form button[type=submit]").first.click()


def test_the_browsers_language_then_the_accounts(browser, live_server, demo) -> None:
    from apps.accounts.models import User
    from apps.ops.demo import DEMO_PASSWORD

    context = browser.new_context(**{**SMALL_PHONE, "locale": "de-DE"})
    page = context.new_page()
    chunks: list[str] = []
    page.on("request", lambda r: "/assets/locale-" in r.url and chunks.append(r.url))
    try:
        page.goto(f"{live_server.url}/")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.get_by_role("button", name="Anmelden", exact=True)).to_be_visible()
        maria = User.objects.get(email="maria@demo.mastline.test")
        assert maria.language == "en"
        _sign_in(page, live_server, maria.email, DEMO_PASSWORD)
        # The account says English: the app follows it.
        expect(page.get_by_role("heading", level=1)).to_have_text(TODAY["en"])
        go(page, "/account", "Your account")
        page.get_by_label("Language").select_option("it")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(ACCOUNT["it"])
        maria.refresh_from_db()
        assert maria.language == "it"
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text(ACCOUNT["it"])
        expect(page.locator("html")).to_have_attribute("lang", "it")
        # Only the languages shown were fetched: German (the browser's), then Italian.
        assert {url.split("/assets/locale-")[1].split("-")[0] for url in chunks} == {"de", "it"}
    finally:
        context.close()


@pytest.mark.parametrize("language", ["it", "de", "fr", "es"])
def test_every_screen_fits_360px_and_passes_axe_in_each_language(
    browser, live_server, demo, axe_violations, language
) -> None:
    from apps.accounts.models import User
    from apps.ops.demo import DEMO_PASSWORD

    maria = User.objects.get(email="maria@demo.mastline.test")
    maria.language = language
    maria.save(update_fields=["language"])
    leo, ids, _check_in = _records(maria)
    context = browser.new_context(**{**SMALL_PHONE, "locale": language})
    page = context.new_page()
    page.clock.install(time=timezone.now())
    failures: dict[str, object] = {}
    try:
        _sign_in(page, live_server, maria.email, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text(TODAY[language])
        page.locator("select").first.select_option(label=leo.display_name)
        for name, path, _heading in SIGNED_IN:
            go(page, path.format(**ids))
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                failures[f"{name}: width"] = width
            found = axe_violations(page)
            if found:
                failures[name] = found
    finally:
        context.close()
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)


def test_the_public_card_prints_two_languages_on_one_page(browser, live_server, demo) -> None:
    """German and Italian side by side (a German reader, an Italian patient) fit one A4 page;
    the PDF and a print-media screenshot go to docs/screenshots for the README."""
    from apps.accounts.models import User
    from apps.emergency import services

    maria = User.objects.get(email="maria@demo.mastline.test")
    maria.language = "it"
    maria.save(update_fields=["language"])
    leo, _ids, _check_in = _records(maria)
    services.card_update(
        patient=leo,
        by=maria,
        fields={
            "action_plan": "Adrenalina 0,15 mg nella coscia, chiamare il 112, sdraiarlo con le "
            "gambe sollevate. Seconda penna dopo 5-15 minuti se non migliora.",
            "translations": {
                "de": {
                    "action_plan": "Adrenalin 0,15 mg in den Oberschenkel, 112 anrufen, hinlegen "
                    "und Beine hochlagern. Zweiter Pen nach 5–15 Minuten, wenn keine Besserung."
                }
            },
        },
    )
    _link, token = services.link_create(patient=leo, by=maria, label="travel")
    context = browser.new_context(locale="de-DE", viewport={"width": 1123, "height": 794})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/card/{token}")
        expect(page.locator("html")).to_have_attribute("lang", "de")
        page.get_by_role("link", name="Neben Italiano, zum Drucken").click()
        expect(page.locator("article")).to_have_count(2)
        expect(page.locator("article[lang=it] h2").first).to_have_text("Diagnosi")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pdf = page.pdf(path=str(SCREENSHOTS / "card-de-it.pdf"), prefer_css_page_size=True)
        assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # one page
        page.emulate_media(media="print")
        page.screenshot(path=str(SCREENSHOTS / "card-de-it.png"), full_page=True)
    finally:
        context.close()
