"""The app shell as a person on a phone meets it: it opens, says what it is, says so when the server
cannot be reached (and nothing when it can), is accessible, installs as an app, and still opens
with no signal."""

import json
import re
import struct
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("healthy_service")]

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "home.png"
DISCLAIMER = "Mastline is a tracker and reminder, not a doctor: it never suggests doses or treatment changes."

# Resolves once /sw.js is the active, activated worker controlling this page.
WAIT_FOR_CONTROLLING_WORKER = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (worker.state !== 'activated') {
    await new Promise((resolve) => worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
    }));
  }
  if (!navigator.serviceWorker.controller) {
    await new Promise((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
  }
  return { scope: registration.scope, scriptURL: worker.scriptURL, state: worker.state };
}"""


def server_reach(page):
    return page.get_by_test_id("server-reach")


def open_home(page, live_server):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Sign in")
    # The health check has answered "ok": a person signing in is told nothing about the server.
    page.wait_for_load_state("networkidle")
    expect(server_reach(page)).to_have_text("")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


def test_home_says_what_mastline_is_without_jargon(page, live_server, console_errors):
    open_home(page, live_server)

    expect(page.get_by_role("heading", level=1)).to_have_text("Mastline")
    expect(page.get_by_role("main")).to_contain_text(DISCLAIMER)
    expect(page.get_by_role("link", name="API documentation")).to_have_count(0)
    expect(page.get_by_text("Service:")).to_have_count(0)
    assert console_errors == []


def test_home_says_when_the_service_is_degraded(page, live_server):
    from apps.ops.models import Heartbeat

    Heartbeat.objects.all().delete()  # the worker and beat have gone quiet

    page.goto(f"{live_server.url}/")

    expect(server_reach(page)).to_contain_text("reminders may arrive late")


def test_a_deep_link_opens_the_app_shell(page, live_server, console_errors):
    page.goto(f"{live_server.url}/medications/42/doses")

    expect(page.get_by_role("heading", level=1)).to_have_text("Mastline")
    assert console_errors == []


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_home_has_no_accessibility_violations(page, live_server, axe_violations, color_scheme):
    page.emulate_media(color_scheme=color_scheme)
    open_home(page, live_server)

    assert axe_violations(page) == []


def test_service_worker_controls_the_whole_site(page, live_server, console_errors):
    open_home(page, live_server)

    worker = page.evaluate(WAIT_FOR_CONTROLLING_WORKER)

    assert worker == {
        "scope": f"{live_server.url}/",
        "scriptURL": f"{live_server.url}/sw.js",
        "state": "activated",
    }
    assert console_errors == []


def test_manifest_is_linked_and_describes_an_installable_app(page, live_server):
    open_home(page, live_server)
    href = page.locator("link[rel=manifest]").get_attribute("href")

    response = page.request.get(f"{live_server.url}{href}")
    assert response.ok
    manifest = response.json()

    assert manifest["name"] == "Mastline"
    assert manifest["short_name"]
    assert manifest["description"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    icons = {(icon["sizes"], icon.get("purpose", "any")): icon for icon in manifest["icons"]}
    assert set(icons) >= {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), icon in icons.items():
        image = page.request.get(f"{live_server.url}{icon['src']}")
        assert image.ok, icon["src"]
        assert image.headers["content-type"] == "image/png"
        width, height = png_size(image.body())
        assert f"{width}x{height}" == sizes, icon["src"]


def test_chromium_finds_the_app_installable(persistent_page, live_server, console_errors):
    open_home(persistent_page, live_server)
    persistent_page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    devtools = persistent_page.context.new_cdp_session(persistent_page)

    manifest = devtools.send("Page.getAppManifest")
    installability = devtools.send("Page.getInstallabilityErrors")

    assert manifest["errors"] == []
    assert installability["installabilityErrors"] == []
    assert console_errors == []


def test_app_shell_opens_offline_once_the_worker_is_active(page, context, live_server):
    open_home(page, live_server)
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)

    context.set_offline(True)
    page.reload()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mastline")
    # /api/health is never answered from the cache, so offline the app says so.
    expect(server_reach(page)).to_contain_text("cannot be reached")

    page.goto(f"{live_server.url}/medications/42/doses")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mastline")


SHOWN_NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  for (let tries = 0; tries < 50; tries++) {
    const shown = await registration.getNotifications();
    if (shown.length) return shown.map(({ title, body, tag, data }) => ({ title, body, tag, data }));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [];
}"""


def deliver_push(page, context, origin, data: str) -> None:
    """Hand the service worker a push message as the browser's push service would."""
    devtools = context.new_cdp_session(page)
    registrations: list[dict] = []
    devtools.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(r for r in event["registrations"] if not r["isDeleted"]),
    )
    devtools.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    devtools.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": registrations[0]["registrationId"], "data": data},
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            json.dumps(
                {
                    "title": "Injection due",
                    "body": "Open Mastline to log it.",
                    "tag": "dose-7",
                    "url": "/today",
                    "actions": [{"action": "log", "title": "Log dose"}],
                }
            ),
            {
                "title": "Injection due",
                "body": "Open Mastline to log it.",
                "tag": "dose-7",
                "data": {"url": "/today", "actions": [{"action": "log", "title": "Log dose"}]},
            },
        ),
        # A payload the worker cannot parse still alerts: a reminder must never vanish silently.
        (
            "not json",
            {"title": "Mastline", "body": "", "tag": "", "data": {"url": "/", "actions": []}},
        ),
    ],
    ids=["reminder", "unreadable"],
)
def test_a_push_message_shows_a_notification(page, context, live_server, payload, expected):
    context.grant_permissions(["notifications"], origin=live_server.url)
    open_home(page, live_server)
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)

    deliver_push(page, context, live_server.url, payload)

    assert page.evaluate(SHOWN_NOTIFICATIONS) == [expected]


def test_home_fits_a_small_phone(small_page, live_server):
    page = small_page
    open_home(page, live_server)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a 360px-wide phone"

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
