"""The patient app end to end in real Chromium, as a person on a phone uses it: sign up, add a
patient, add omalizumab every 4 weeks and log a dose; log a symptom and a check-in with no signal
and see each reach the server exactly once; act on a push notification. (Each other flow is in
test_flows.py; every screen at 360 px in test_screens.py.)"""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from tests.browser.conftest import pin_worker_clock
from tests.browser.test_shell import WAIT_FOR_CONTROLLING_WORKER, deliver_push

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("healthy_service")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "a-long-passphrase-for-tests"


@pytest.fixture
def catalogues(transactional_db):
    """The shared symptom, trigger and drug catalogues: data migrations, which a transactional
    test's flush of an earlier test may have emptied."""
    for module in (
        "apps.diary.migrations.0002_catalogue",
        "apps.medications.migrations.0002_catalogue",
    ):
        importlib.import_module(module).load(django_apps, None)


def sign_up(page, live_server, email="robin@example.org"):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="New here? Create an account").click()
    page.get_by_label("Your name").fill("Robin Example")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")


def sign_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")


def add_patient(page, name="Robin"):
    page.get_by_role("link", name="Add a patient").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Add patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")


def add_omalizumab_and_log_a_dose(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meds").click()
    page.get_by_role("link", name="Add a medication").click()
    page.get_by_label("From the list").select_option(label="Omalizumab")
    page.get_by_label("How often").select_option("interval")
    page.get_by_label("Every", exact=True).fill("4")
    page.get_by_label("Unit", exact=True).nth(1).select_option("weeks")
    page.get_by_label("Counted from").select_option("last_dose")
    page.get_by_role("button", name="Add medication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Medication")
    page.get_by_role("button", name="Log a dose").click()
    expect(page.get_by_label("Injection site")).to_be_visible()
    page.get_by_label("Injection site").select_option("thigh_left")
    page.get_by_role("button", name="Save dose").click()
    expect(page.get_by_text("Dose of Omalizumab logged.")).to_be_visible()


def sync_status(page):
    return page.get_by_test_id("sync-status")


def test_a_new_user_logs_online_and_offline_and_the_server_gets_each_entry_once(
    page, context, live_server, catalogues, axe_violations
):
    from apps.careteam.models import Membership
    from apps.diary.models import DailyCheckIn, SymptomEntry
    from apps.medications.models import DoseLog, Medication

    sign_up(page, live_server)
    assert axe_violations(page) == []
    add_patient(page)
    add_omalizumab_and_log_a_dose(page)

    membership = Membership.objects.get(user__email="robin@example.org")
    assert membership.role == "owner"
    medication = Medication.objects.get(patient=membership.patient)
    assert (medication.name, medication.interval, medication.interval_unit) == (
        "Omalizumab",
        4,
        "weeks",
    )
    assert medication.interval_anchor == "last_dose"
    dose = DoseLog.objects.get(medication=medication)
    assert (dose.status, dose.injection_site, dose.given_by) == ("taken", "thigh_left", "patient")

    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    context.set_offline(True)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Today").click()
    page.get_by_role("button", name="Flushing").click()
    page.get_by_role("button", name="6", exact=True).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved on this phone: Flushing, 6 of 10.")).to_be_visible()

    nav.get_by_role("link", name="Log").click()
    page.get_by_role("link", name="Daily check-in").click()
    slider = page.get_by_label("Quality of life today")
    slider.fill("35")
    expect(slider).to_have_attribute("aria-valuetext", "35 of 100, poor")
    page.get_by_role("button", name="Save check-in").click()
    expect(
        page.get_by_text("Saved on this phone. It will sync when you are online.")
    ).to_be_visible()
    expect(sync_status(page)).to_have_text("2 entries waiting to sync (offline).")
    assert SymptomEntry.objects.count() == 0
    assert DailyCheckIn.objects.count() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(sync_status(page)).to_have_text("All entries saved to the server.", timeout=15_000)

    entry = SymptomEntry.objects.get()
    assert (entry.symptom.code, entry.severity, entry.patient_id) == (
        "skin.flushing",
        6,
        membership.patient_id,
    )
    check_in = DailyCheckIn.objects.get()
    assert check_in.quality_of_life == 35
    # A restart replays the outbox again (page and worker): nothing is left to send twice.
    page.reload()
    expect(sync_status(page)).to_have_text("All entries saved to the server.")
    assert SymptomEntry.objects.count() == 1
    assert DailyCheckIn.objects.count() == 1


def test_a_push_action_logs_the_dose_through_the_service_worker(
    page, context, live_server, catalogues
):
    from apps.accounts.models import User
    from apps.medications.models import DoseLog, Medication
    from apps.notifications.delivery import push_payload
    from apps.notifications.services import notify

    context.grant_permissions(["notifications"], origin=live_server.url)
    sign_up(page, live_server, email="kim@example.org")
    add_patient(page, "Kim")
    add_omalizumab_and_log_a_dose(page)
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    medication = Medication.objects.get()
    user = User.objects.get(email="kim@example.org")
    notification = notify(
        recipient=user,
        patient=medication.patient,
        category="dose_reminder",
        urgency="normal",
        dedupe_key="browser-test",
        source_key="browser-test",
        title="Time for Omalizumab",
        body="Kim's dose of Omalizumab is due.",
        url=f"/patients/{medication.patient_id}/medications/{medication.pk}",
        actions=[{"action": "took-it", "title": "I took it"}],
    )

    deliver_push(page, context, live_server.url, push_payload(notification).decode())

    worker = context.service_workers[0]
    pin_worker_clock(worker)
    shown = worker.evaluate(
        """async () => {
          for (let tries = 0; tries < 50; tries++) {
            const [shown] = await self.registration.getNotifications();
            if (shown) return { title: shown.title, actions: shown.actions.map((a) => a.action), data: shown.data };
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          return null;
        }"""
    )
    assert shown == {
        "title": "Mastline",
        "actions": ["took-it"],
        "data": {
            "id": str(notification.pk),
            "url": notification.url,
            "actions": [
                {
                    "action": "took-it",
                    "title": "I took it",
                    # What the phone says once done, in the recipient's language.
                    "done": [
                        "Dose logged",
                        "Saved in Mastline.",
                        "Saved on this phone; it will sync when online.",
                    ],
                }
            ],
        },
    }
    # The worker's own click handler, as a tap on "I took it" runs it.
    outcome = worker.evaluate(
        """async () => {
          const [shown] = await self.registration.getNotifications();
          return self.mastline.onNotificationClick(shown, 'took-it');
        }"""
    )

    assert outcome["sent"] is True
    # The dose the worker logged, found by the id it chose.
    assert DoseLog.objects.filter(medication=medication).count() == 2
    assert DoseLog.objects.filter(medication=medication, pk=outcome["dose"]).exists()
    notification.refresh_from_db()
    assert notification.acknowledged_at is not None


def test_signing_up_with_an_email_that_has_an_account_says_so_only_to_its_owner(
    page, live_server, mailoutbox
):
    """Sign-up answers the same either way (a stranger learns nothing from it); the person who
    typed the right password is signed in, anyone else is told the email was written to, and the
    owner gets that email."""
    from tests.factories import UserFactory

    UserFactory(email="taken@example.org", display_name="Owner")
    page.goto(f"{live_server.url}/signup")
    page.get_by_label("Your name").fill("Someone Else")
    page.get_by_label("Email").fill("taken@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_test_id("signup-taken")).to_contain_text("taken@example.org already has")
    expect(page.get_by_role("link", name="Set a new password")).to_be_visible()
    assert [m.to for m in mailoutbox] == [["taken@example.org"]]
    assert "forgot-password" in mailoutbox[0].body

    sign_up(page, live_server, email="fresh@example.org")  # a new email goes straight in
