"""The app in each of its languages: a browser that asks for German opens in German before
anyone signs in; the account's language (the picker in Your account) takes over after, loads only
its own catalogue, and stays on the next start; every screen fits 360 px and passes axe in
Italian, German, French and Spanish (longer words than English)."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.app_helpers import go
from tests.browser.conftest import SMALL_PHONE
from tests.browser.test_screens import SIGNED_IN, _records, demo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("healthy_service")]
__all__ = ["demo"]

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
