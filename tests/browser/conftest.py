"""Real-browser tests of the built front end, served by Django (pytest-django's live_server).

They drive Debian's chromium (/usr/bin/chromium) through Playwright; no browser is ever downloaded.
A missing prerequisite skips with a reason starting "needs-service: ", which CI greps for and treats
as a failure, so a green local run without chromium cannot pass for a green CI run.

With MASTLINE_TEST_NOW set (tests/conftest.py) the server's clock is pinned, so every browser
context made here gets Playwright's clock installed at the server's "now" (`pin_clock`): page and
server agree on the day, whatever the wall clock says.
"""

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIST_INDEX = REPO_ROOT / "frontend" / "dist" / "index.html"
AXE_SCRIPT = REPO_ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The phone the flows are tested on (a common mid-range Android), read by a European: dates must
# come as 15 Dec 2026 or 15/12/2026, never 12/15.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
    "timezone_id": "Europe/Rome",
}
# A small, cheap Android phone: every screen must fit it (tests/browser/test_screens.py).
SMALL_PHONE = {**PHONE, "viewport": {"width": 360, "height": 640}}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

HERE = Path(__file__).resolve().parent


def pin_clock(context):
    """Start the context's pages at the server's current time when the suite's clock is pinned
    (MASTLINE_TEST_NOW); time then flows. Without a pin the page keeps the real clock, which is
    the server's too. A test may still install its own clock on a page."""
    from tests.clock import PINNED_NOW

    if PINNED_NOW is not None:
        context.clock.install(time=dt.datetime.now(dt.UTC))
    return context


def pin_worker_clock(worker) -> None:
    """Playwright's clock does not reach service workers: when the suite's clock is pinned, shift
    this worker's `Date` to the server's time (until the browser stops the idle worker)."""
    from tests.clock import PINNED_NOW

    if PINNED_NOW is None:
        return
    worker.evaluate(
        """now => {
          const RealDate = Date;
          const offset = now - RealDate.now();
          self.Date = class extends RealDate {
            constructor(...args) { if (args.length) super(...args); else super(RealDate.now() + offset); }
            static now() { return RealDate.now() + offset; }
          };
        }""",
        dt.datetime.now(dt.UTC).timestamp() * 1000,
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _missing_prerequisite() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not FRONTEND_DIST_INDEX.exists():
        return f"{FRONTEND_DIST_INDEX.relative_to(REPO_ROOT)} is missing (cd frontend && npm ci && npm run build)"
    if not AXE_SCRIPT.exists():
        return f"{AXE_SCRIPT.relative_to(REPO_ROOT)} is missing (cd frontend && npm ci)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[object]:
    """One Playwright driver for this folder's tests, stopped when the last of them ends.

    Package scope, not session: while the driver runs, its event loop counts as "running" in the
    main thread, and Django refuses ORM calls there (SynchronousOnlyOperation). The override below
    is therefore set for exactly the driver's lifetime, so tests elsewhere keep Django's guard.
    """
    reason = _missing_prerequisite()
    if reason:
        pytest.skip(f"needs-service: {reason}")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def healthy_service(transactional_db) -> None:
    """The Celery worker and beat have just shown signs of life, so /api/health answers "ok".

    Without them it honestly answers 503 "degraded", which Chromium also logs as a failed resource.
    """
    from apps.ops.heartbeat import BEAT, WORKER_PREFIX, record_heartbeat

    record_heartbeat(f"{WORKER_PREFIX}browser-tests")
    record_heartbeat(BEAT)


class ConsoleLog(list):
    """Console errors and uncaught exceptions a page produced, as readable strings."""

    def watch(self, page) -> None:
        page.on("console", lambda message: message.type == "error" and self.append(message.text))
        page.on("pageerror", lambda error: self.append(f"uncaught: {error}"))


@pytest.fixture
def console_errors() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def context(browser):
    """A fresh profile per test (its own service workers and caches), phone-sized (390×844)."""
    context = pin_clock(browser.new_context(**PHONE))
    yield context
    context.close()


@pytest.fixture
def page(context, console_errors):
    page = context.new_page()
    console_errors.watch(page)
    return page


@pytest.fixture
def small_page(browser, console_errors):
    """A page on the small phone (360×640)."""
    context = pin_clock(browser.new_context(**SMALL_PHONE))
    page = context.new_page()
    console_errors.watch(page)
    yield page
    context.close()


@pytest.fixture
def persistent_page(playwright_driver, tmp_path, console_errors):
    """A page in a persistent profile (a real user-data-dir).

    Chromium answers Page.getInstallabilityErrors only for a profile that can install apps, which
    an incognito-like browser.new_context() is not.
    """
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        **PHONE,
    )
    pin_clock(context)
    page = context.pages[0] if context.pages else context.new_page()
    console_errors.watch(page)
    yield page
    context.close()


@pytest.fixture
def axe_violations():
    """Audit a page with axe-core: its WCAG 2.x A/AA and best-practice violations, one dict a rule.

    axe is evaluated through the DevTools protocol rather than added as a <script> tag
    (page.add_script_tag): the server's CSP rightly blocks inline scripts, and the audit should run
    against the page users get, CSP included.
    """

    def audit(page) -> list[dict]:
        if page.evaluate("typeof window.axe") == "undefined":
            page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        result = page.evaluate(
            "tags => axe.run(document, { runOnly: { type: 'tag', values: tags } })", AXE_TAGS
        )
        return [
            {
                "rule": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "elements": [node["target"] for node in violation["nodes"]],
            }
            for violation in result["violations"]
        ]

    return audit
