"""What the patient-app browser tests share: signing in, moving between screens without a reload,
waiting for the service worker, and an axe audit in light and dark."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.browser.test_shell import WAIT_FOR_CONTROLLING_WORKER
from tests.factories import load_catalogues

__all__ = ["WAIT_FOR_CONTROLLING_WORKER", "load_catalogues"]

PASSWORD = "a-long-passphrase-for-tests"


def sign_in(page, live_server, email, password=PASSWORD, heading="Today"):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if heading:
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def go(page, path, heading=None):
    """In-app navigation (the router's pushState), as a tap on a link does: no reload."""
    page.evaluate(
        "path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }",
        path,
    )
    if heading:
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def tab(page, name):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def sync_status(page):
    return page.get_by_test_id("sync-status")


def assert_accessible(page, axe_violations):
    """axe finds nothing on the screen as it is, in light and in dark."""
    failures = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found = axe_violations(page)
        if found:
            failures[scheme] = found
    page.emulate_media(color_scheme="light")
    assert failures == {}, json.dumps(failures, indent=1)


def api_client_for(user):
    """A Django test client signed in as `user` (another device, in the tests' words)."""
    from django.test import Client

    from tests.factories import login_verified

    client = Client()
    login_verified(client, user)
    return client
