"""Each thing a patient, a caregiver or a parent does in the app, end to end in real Chromium at
390×844, with axe clean in light and dark on the screens it ends on.

Where the browser computes dates (today's check-in, "the last 30 days", an undo's seconds) its
clock is installed at the server's `timezone.now()`, so the page and the server agree on the day
whatever the wall clock says."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.app_helpers import (
    PASSWORD,
    WAIT_FOR_CONTROLLING_WORKER,
    api_client_for,
    assert_accessible,
    go,
    load_catalogues,
    sign_in,
    sync_status,
    tab,
)
from tests.browser.conftest import PHONE, pin_clock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("healthy_service")]

# Until h11-pipeline's GET notifications/unread-count lands, the badge's first request answers 404
# (and the app falls back to the unread list): Chromium logs it as a failed resource.
NEEDS_UNREAD_COUNT = "404 (Not Found)"


@pytest.fixture
def other_phone(browser):
    """A second device (another person's phone, or another of Maria's)."""
    context = pin_clock(browser.new_context(**PHONE))
    page = context.new_page()
    page.clock.install(time=timezone.now())
    yield page
    context.close()


@pytest.fixture
def page(page):
    page.clock.install(time=timezone.now())
    return page


@pytest.fixture
def family(transactional_db):
    """Maria owns the records of her two children, Ada and Leo; Sam (their father) is Ada's
    caregiver. Ada takes omalizumab, Leo cetirizine; Ada has a pen."""
    from apps.accounts.models import User
    from apps.careteam.models import Membership, Patient, Role
    from apps.epinephrine.models import AutoInjector
    from apps.medications import services as medication_services
    from apps.medications.models import Medication

    load_catalogues()
    maria = User.objects.create_user(
        email="maria@example.org",
        password=PASSWORD,
        display_name="Maria Okafor",
        time_zone="Europe/Rome",
    )
    sam = User.objects.create_user(
        email="sam@example.org",
        password=PASSWORD,
        display_name="Sam Okafor",
        time_zone="Europe/Rome",
    )
    ada = Patient.objects.create(display_name="Ada", time_zone="Europe/Rome", sm_subtype="CM")
    leo = Patient.objects.create(display_name="Leo", time_zone="Europe/Rome", sm_subtype="ISM")
    Membership.objects.create(patient=ada, user=maria, role=Role.OWNER)
    Membership.objects.create(patient=leo, user=maria, role=Role.OWNER)
    Membership.objects.create(patient=ada, user=sam, role=Role.CAREGIVER)
    today = ada.local_today()
    omalizumab = Medication.objects.create(
        patient=ada,
        name="Omalizumab",
        route="subcutaneous",
        dose="150",
        dose_unit="mg",
        start_date=today - dt.timedelta(days=60),
        regimen_kind="interval",
        interval=4,
        interval_unit="weeks",
        interval_anchor="calendar",
        times_of_day=["09:00"],
    )
    cetirizine = Medication.objects.create(
        patient=leo,
        name="Cetirizine",
        route="oral",
        dose="5",
        dose_unit="mg",
        start_date=today - dt.timedelta(days=10),
        regimen_kind="daily",
        times_of_day=["08:00"],
    )
    for medication in (omalizumab, cetirizine):
        medication_services.medication_replan(medication=medication)
    pen = AutoInjector.objects.create(
        patient=ada,
        brand="Jext",
        dose_mg="0.15",
        expires_on=today + dt.timedelta(days=200),
        location="School bag",
    )
    return {
        "maria": maria,
        "sam": sam,
        "ada": ada,
        "leo": leo,
        "omalizumab": omalizumab,
        "cetirizine": cetirizine,
        "pen": pen,
    }


def a_message(recipient, patient, title, *, urgency="normal", category="pen_expiry", key=None):
    """A notification in someone's inbox, as the alert pipeline leaves it."""
    from apps.notifications.services import notify

    key = key or f"{category}:{title}"
    return notify(
        recipient=recipient,
        patient=patient,
        category=category,
        urgency=urgency,
        dedupe_key=key,
        source_key=key,
        title=title,
        body=f"{title}.",
        url="/inbox",
    )


def choose_patient(page, name):
    page.get_by_label("Patient").select_option(label=name)
    expect(page.get_by_label("Patient").locator("option:checked")).to_have_text(name)


def online_again(page, context):
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


# --- signing in -----------------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_from_the_emailed_link(
    page, live_server, family, axe_violations, mailoutbox
):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("maria@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status").filter(has_text="is on its way")).to_be_visible()
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/reset-password\?\S+", mailoutbox[0].body).group(0)
    path = link[link.index("/reset-password") :]

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=2)).to_have_text("Set a new password")
    assert_accessible(page, axe_violations)
    page.get_by_label("New password", exact=True).fill("a-brand-new-passphrase")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    sign_in(page, live_server, "maria@example.org", "a-brand-new-passphrase")

    # The same link does not work twice.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    page.evaluate("indexedDB.deleteDatabase('mastline')")
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("New password", exact=True).fill("yet-another-passphrase")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_text("This link has expired or was already used.")).to_be_visible()


def test_the_sign_in_page_speaks_plainly(page, live_server, axe_violations):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Sign in")
    expect(page.get_by_text("Service:")).to_have_count(0)
    expect(page.get_by_role("link", name="API documentation")).to_have_count(0)
    assert_accessible(page, axe_violations)


def test_a_clinician_on_the_phone_gets_the_code_box_and_then_the_clinic(
    page, live_server, family, axe_violations
):
    from apps.accounts.totp import totp
    from apps.careteam.models import Membership, Role
    from tests.factories import enable_totp

    doctor = family["maria"].__class__.objects.create_user(
        email="doctor@example.org",
        password=PASSWORD,
        display_name="Dr Lind",
        time_zone="Europe/Rome",
    )
    Membership.objects.create(patient=family["ada"], user=doctor, role=Role.CLINICIAN)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    enable_totp(doctor, secret)

    sign_in(page, live_server, "doctor@example.org", heading=None)
    expect(page.get_by_role("heading", level=2)).to_have_text("Enter your code")
    assert_accessible(page, axe_violations)
    page.get_by_label("Code from your authenticator app").fill(
        totp(secret, timezone.now().timestamp())
    )
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/clinic/patients$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")


def test_a_write_the_server_refuses_is_never_left_waiting_to_sync(page, live_server, family):
    """Sam, a caregiver with two-step sign-in, becomes Ada's clinician while his app is open:
    his next symptom is refused (403) and said so, not kept "waiting to sync" forever."""
    from apps.accounts.totp import totp
    from apps.careteam.models import Membership, Role
    from apps.diary.models import SymptomEntry
    from tests.factories import enable_totp

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    enable_totp(family["sam"], secret)
    sign_in(page, live_server, "sam@example.org", heading=None)
    page.get_by_label("Code from your authenticator app").fill(
        totp(secret, timezone.now().timestamp())
    )
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")

    Membership.objects.filter(user=family["sam"]).update(role=Role.CLINICIAN)
    page.get_by_role("button", name="Itching").click()
    page.get_by_role("button", name="3", exact=True).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Not saved: "))).to_be_visible()
    expect(sync_status(page)).to_have_text("All entries saved to the server.")
    assert SymptomEntry.objects.count() == 0


# --- pens and alerts ------------------------------------------------------------------------------


def test_a_pen_used_shows_what_to_do_and_the_caregiver_sees_the_urgent_alert(
    page, other_phone, live_server, family, axe_violations
):
    from apps.epinephrine.models import AutoInjector
    from apps.notifications.models import Notification

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    tab(page, "More")
    page.get_by_role("link", name="Epinephrine pens and the carry check").click()
    expect(page.get_by_test_id("pen")).to_contain_text("Kept: School bag")
    page.get_by_role("link", name=re.compile(r"^Open Jext")).click()
    page.get_by_role("link", name="I used this pen").click()
    assert_accessible(page, axe_violations)
    page.get_by_role("button", name="Mark as used and alert the care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pen used: what to do now")
    expect(page.get_by_test_id("instructions")).to_contain_text("mergency")
    expect(page.get_by_text("1 person on the care team has been alerted.")).to_be_visible()
    assert_accessible(page, axe_violations)
    assert AutoInjector.objects.get().state == "used"

    # Sam's phone: the alert is on Today and in the inbox, with the unread count on the tab.
    sign_in(other_phone, live_server, "sam@example.org")
    alerts = other_phone.get_by_role("region", name=re.compile(r"alert"))
    expect(alerts).to_contain_text("Urgent:")
    expect(
        other_phone.get_by_role("link", name=re.compile(r"^Inbox\W+\d+ unread$"))
    ).to_be_visible()
    alerts.get_by_role("link").first.click()
    expect(other_phone.get_by_test_id("message-detail")).to_contain_text("Urgent:")
    other_phone.get_by_role("button", name="I'm dealing with it").click()
    expect(other_phone.get_by_text(re.compile(r"^Acknowledged (by |\d)"))).to_be_visible()
    assert_accessible(other_phone, axe_violations)
    alert = Notification.objects.get(recipient=family["sam"], category="pen_used")
    assert alert.acknowledged_at is not None and alert.read_at is not None


def test_the_others_see_who_acknowledged_an_urgent_alert(page, other_phone, live_server, family):
    maria, sam = family["maria"], family["sam"]
    copies = [
        a_message(
            user,
            family["ada"],
            "A pen was used for Ada",
            urgency="urgent",
            category="pen_used",
            key="pen-used-ada",
        )
        for user in (maria, sam)
    ]
    sign_in(other_phone, live_server, "sam@example.org")
    go(other_phone, f"/inbox/{copies[1].pk}?acknowledge=1", "Message")
    expect(other_phone.get_by_text(re.compile(r"^Acknowledged (by |\d)"))).to_be_visible()
    sign_in(page, live_server, "maria@example.org")
    go(page, f"/inbox/{copies[0].pk}", "Message")
    expect(page.get_by_text(re.compile(r"^Acknowledged by Sam Okafor"))).to_be_visible()


def test_the_emailed_acknowledge_link_acknowledges_after_signing_in(
    page, live_server, family, console_errors
):
    from apps.notifications.models import Notification

    alert = a_message(
        family["sam"],
        family["ada"],
        "Ada's omalizumab is overdue",
        urgency="urgent",
        category="dose_overdue",
        key="overdue-1",
    )
    page.goto(f"{live_server.url}/inbox/{alert.pk}?acknowledge=1")
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Message")
    expect(page.get_by_text(re.compile(r"^Acknowledged (by |\d)"))).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/inbox/{alert.pk}$"))
    assert Notification.objects.get(pk=alert.pk).acknowledged_at is not None


def test_a_failed_inbox_says_so_and_retries_instead_of_looking_empty(
    page, live_server, family, axe_violations
):
    a_message(
        family["maria"],
        family["ada"],
        "Ada's pen expires soon",
        urgency="normal",
        category="pen_expiry",
        key="expiry-1",
    )
    sign_in(page, live_server, "maria@example.org")
    page.route(
        "**/api/v1/notifications/?page_size=50",
        lambda route: route.fulfill(
            status=500,
            body='{"code":"server_error","detail":"Something went wrong on our side.","fields":{}}',
            content_type="application/json",
        ),
    )
    tab(page, re.compile(r"^Inbox"))
    expect(page.get_by_test_id("load-failed")).to_contain_text("could not be loaded")
    expect(page.get_by_text("No messages.")).to_have_count(0)
    assert_accessible(page, axe_violations)
    page.unroute("**/api/v1/notifications/?page_size=50")
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_test_id("message")).to_contain_text("Ada's pen expires soon")


# --- the emergency card -----------------------------------------------------------------------------


def test_the_card_is_shared_opened_signed_out_and_revoked(
    page, browser, live_server, family, axe_violations
):
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    go(page, "/card/edit", "Edit the card")
    page.get_by_role("button", name="Add a contact").click()
    page.get_by_label("Name").fill("Sam Okafor")
    page.get_by_label("Relation (optional)").fill("father")
    page.get_by_label("Phone").fill("+39 333 123 4567")
    page.get_by_role("button", name="Save contacts").click()
    expect(page.get_by_text("Contacts saved.")).to_be_visible()
    go(page, "/card", "Emergency card")
    expect(page.get_by_test_id("emergency-card")).to_contain_text("Sam Okafor (father)")
    page.get_by_role("link", name="Share with first responders (link and QR code)").click()
    page.get_by_label("Name it (optional)").fill("School")
    page.get_by_role("button", name="Make the link").click()
    made = page.get_by_test_id("new-link")
    expect(made.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    url = made.get_by_label("Link").input_value()
    assert "/card/" in url
    assert_accessible(page, axe_violations)

    stranger = pin_clock(browser.new_context(**PHONE))
    try:
        responder = stranger.new_page()
        shared = f"{live_server.url}{url[url.index('/card/') :]}"
        responder.goto(shared)
        expect(responder.locator("body")).to_contain_text("Ada")
        expect(responder.locator("body")).to_contain_text("+39 333 123 4567")

        link = page.get_by_test_id("card-link").filter(has_text="School")
        link.get_by_role("button", name="Revoke").click()
        page.get_by_role("button", name="Revoke").click()
        expect(page.get_by_test_id("card-link").filter(has_text="School")).to_contain_text(
            "Revoked"
        )
        answer = responder.goto(shared)
        assert answer.status in {404, 410}
        expect(responder.locator("body")).not_to_contain_text("+39 333 123 4567")
    finally:
        stranger.close()


def test_the_card_opens_offline_once_seen(page, context, live_server, family):
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    go(page, "/card", "Emergency card")
    expect(page.get_by_test_id("emergency-card")).to_contain_text("Cutaneous mastocytosis")
    context.set_offline(True)
    page.reload()
    go(page, "/card", "Emergency card")
    expect(page.get_by_test_id("emergency-card")).to_contain_text("Cutaneous mastocytosis")
    expect(page.get_by_test_id("stale")).to_contain_text("Offline: showing what this phone saw")


# --- medications -----------------------------------------------------------------------------------


def test_a_medication_added_with_its_last_dose_shows_the_right_next_date(
    page, live_server, family, axe_violations
):
    from apps.medications.models import DoseLog, Medication

    zone = family["leo"].zone
    last = (timezone.now().astimezone(zone) - dt.timedelta(days=10)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    # The documented rule: every 4 weeks counted from the last dose given, at the usual time.
    expected = dt.datetime.combine(last.date() + dt.timedelta(weeks=4), dt.time(9, 0), tzinfo=zone)

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Leo")
    tab(page, "Meds")
    page.get_by_role("link", name="Add a medication").click()
    page.get_by_label("From the list").select_option(label="Omalizumab")
    page.get_by_label("How often").select_option("interval")
    page.get_by_label("Every", exact=True).fill("4")
    page.get_by_label("Unit", exact=True).nth(1).select_option("weeks")
    page.get_by_label("Counted from").select_option("last_dose")
    page.get_by_label("Usual time of day").fill("09:00")
    page.get_by_label("Dose (optional)").fill("300 mg")
    page.get_by_label("Last dose given").fill(last.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Where it was injected").select_option("thigh_left")
    assert_accessible(page, axe_violations)
    page.get_by_role("button", name="Add medication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Medication")

    shown = page.evaluate(
        "iso => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(iso))",
        expected.isoformat(),
    )
    card = page.get_by_test_id("medication")
    expect(card).to_contain_text(f"Next dose: {shown}")
    expect(card).to_contain_text("300 mg")
    medication = Medication.objects.get(patient=family["leo"], name="Omalizumab")
    assert medication.next_dose_due_at == expected
    dose = DoseLog.objects.get(medication=medication)
    assert (dose.taken_at, dose.injection_site) == (last, "thigh_left")
    assert_accessible(page, axe_violations)


def test_a_medication_is_changed_paused_and_stopped(page, live_server, family):
    from apps.medications.models import Medication

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Leo")
    go(page, f"/medications/{family['cetirizine'].pk}", "Medication")
    page.get_by_role("button", name="Change", exact=True).click()
    page.get_by_label("Dose (optional)").fill("10")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("medication")).to_contain_text("10 mg")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_test_id("medication")).to_contain_text("paused")
    assert Medication.objects.get(pk=family["cetirizine"].pk).paused_at is not None
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_test_id("medication")).not_to_contain_text("paused")
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Stop it").click()
    expect(page.get_by_text("Stopped as of today.")).to_be_visible()
    stopped = Medication.objects.get(pk=family["cetirizine"].pk)
    assert stopped.end_date == family["leo"].local_today()
    assert stopped.dose == 10


def test_an_offline_dose_is_stored_once(page, context, live_server, family):
    from apps.medications.models import DoseLog

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Leo")
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    tab(page, "Meds")
    expect(page.get_by_test_id("medication")).to_contain_text("Cetirizine")

    context.set_offline(True)
    page.reload()
    tab(page, "Meds")
    # Each list on the screen says it is offline (the schedule and the next two weeks).
    expect(page.get_by_test_id("stale").first).to_be_visible()
    page.get_by_role("button", name="Log a dose of Cetirizine").click()
    page.get_by_role("button", name="Save dose").click()
    expect(
        page.get_by_text("Dose of Cetirizine saved on this phone; it will sync when online.")
    ).to_be_visible()
    expect(sync_status(page)).to_have_text("1 entry waiting to sync (offline).")
    assert DoseLog.objects.count() == 0

    online_again(page, context)
    expect(sync_status(page)).to_have_text("All entries saved to the server.", timeout=15_000)
    page.reload()
    expect(sync_status(page)).to_have_text("All entries saved to the server.")
    dose = DoseLog.objects.get()
    assert (dose.medication_id, dose.status) == (family["cetirizine"].pk, "taken")


# --- the diary ---------------------------------------------------------------------------------


def test_switching_children_leaks_nothing(page, live_server, family, axe_violations):
    from apps.diary.models import SymptomEntry

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    expect(page.get_by_role("main")).to_contain_text("Omalizumab")
    page.get_by_role("button", name="Itching").click()
    page.get_by_role("button", name="2", exact=True).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Logged: Itching, 2 of 10.")).to_be_visible()
    page.get_by_role("button", name="Flushing").click()  # half-chosen, then the other child

    choose_patient(page, "Leo")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Cetirizine")
    expect(main).not_to_contain_text("Omalizumab")
    expect(page.get_by_text("Logged: Itching")).to_have_count(0)
    expect(page.get_by_role("button", name="Flushing")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("button", name="2", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Hives").click()
    page.get_by_role("button", name="3", exact=True).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Logged: Hives, 3 of 10.")).to_be_visible()
    assert_accessible(page, axe_violations)

    ada, leo = family["ada"], family["leo"]
    assert [(e.symptom.code, e.severity) for e in SymptomEntry.objects.filter(patient=ada)] == [
        ("skin.itching", 2)
    ]
    assert [(e.symptom.code, e.severity) for e in SymptomEntry.objects.filter(patient=leo)] == [
        ("skin.hives", 3)
    ]
    # Leo's history holds Leo's entry only.
    go(page, "/history", "History")
    expect(page.get_by_test_id("history-entry")).to_have_count(1)
    expect(page.get_by_test_id("history-entry")).to_contain_text("Hives")


def _entry(patient, user, code, severity, note, hours_ago):
    from apps.diary.models import Symptom, SymptomEntry

    return SymptomEntry.objects.create(
        patient=patient,
        created_by=user,
        symptom=Symptom.objects.get(code=code, patient=None),
        severity=severity,
        note=note,
        occurred_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def test_history_edits_and_deletes_with_undo(page, live_server, family, axe_violations):
    from apps.diary.models import SymptomEntry

    ada, maria = family["ada"], family["maria"]
    itching = _entry(ada, maria, "skin.itching", 4, "after the bath", hours_ago=3)
    headache = _entry(ada, maria, "neuro.headache", 6, "", hours_ago=26)
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    go(page, "/history", "History")
    entries = page.get_by_test_id("history-entry")
    expect(entries).to_have_count(2)
    assert_accessible(page, axe_violations)

    page.get_by_label("What").select_option("symptom")
    entries.filter(has_text="Itching").get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an entry")
    page.get_by_label("Note (optional)").fill("after the bath, hot water")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    itching.refresh_from_db()
    assert (itching.note, itching.version) == ("after the bath, hot water", 2)

    page.get_by_role("link", name="Back to History").first.click()
    entries.filter(has_text="Headache").get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("undo")).to_contain_text("Deleted: Headache, 6 of 10.")
    expect(entries.filter(has_text="Headache")).to_have_count(0)
    page.get_by_role("button", name="Undo").click()
    expect(entries.filter(has_text="Headache")).to_have_count(1)
    page.clock.run_for(10_000)
    assert SymptomEntry.objects.get(pk=headache.pk).deleted_at is None

    entries.filter(has_text="Headache").get_by_role("button", name="Delete").click()
    with page.expect_response(lambda response: response.request.method == "DELETE") as deleted:
        page.clock.run_for(10_000)
    assert deleted.value.status == 204
    expect(page.get_by_test_id("undo")).to_have_count(0)
    expect(sync_status(page)).to_have_text("All entries saved to the server.")
    page.reload()  # the list is the server's again, without the deleted entry
    expect(entries).to_have_count(1)
    expect(entries).to_contain_text("Itching")
    assert SymptomEntry.objects.get(pk=headache.pk).deleted_at is not None


def test_an_offline_edit_of_an_entry_changed_elsewhere_shows_both_versions(
    page, context, live_server, family, axe_violations
):
    ada, maria, sam = family["ada"], family["maria"], family["sam"]
    entry = _entry(ada, maria, "skin.flushing", 5, "at lunch", hours_ago=2)
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    go(page, "/history", "History")
    expect(page.get_by_test_id("history-entry")).to_have_count(1)

    context.set_offline(True)
    page.get_by_role("button", name="Change").click()
    page.get_by_label("Note (optional)").fill("at lunch, after prawns")
    page.get_by_role("button", name="Save changes").click()
    expect(
        page.get_by_text("Saved on this phone. It will sync when you are online.")
    ).to_be_visible()

    # Meanwhile Sam corrects the same entry from his phone.
    changed = api_client_for(sam).patch(
        f"/api/v1/patients/{ada.pk}/symptom-entries/{entry.pk}/",
        {"severity": 7, "note": "at lunch; flushed for an hour"},
        content_type="application/json",
        HTTP_IF_MATCH='"1"',
    )
    assert changed.status_code == 200

    online_again(page, context)
    expect(sync_status(page)).to_contain_text("1 entry needs your choice.", timeout=15_000)
    sync_status(page).get_by_role("link").click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict.get_by_test_id("version-theirs")).to_contain_text(
        "at lunch; flushed for an hour"
    )
    expect(conflict.get_by_test_id("version-mine")).to_contain_text("at lunch, after prawns")
    assert_accessible(page, axe_violations)
    conflict.get_by_role("button", name="Keep both notes (your other answers)").click()
    expect(sync_status(page)).to_have_text("All entries saved to the server.", timeout=15_000)
    entry.refresh_from_db()
    assert entry.note == "at lunch; flushed for an hour\n\nat lunch, after prawns"
    assert entry.severity == 7  # nobody changed it here: Sam's stays


def test_two_check_ins_of_one_day_from_two_devices_keep_both_notes(
    page, context, live_server, family, axe_violations
):
    from apps.diary.models import DailyCheckIn

    ada, sam = family["ada"], family["sam"]
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    context.set_offline(True)
    tab(page, "Log")
    page.get_by_role("link", name="Daily check-in (how was today?)").click()
    page.get_by_label("Quality of life today").fill("40")
    page.get_by_label("Note (optional)").fill("Maria: rash after school")
    page.get_by_role("button", name="Save check-in").click()
    expect(
        page.get_by_text("Saved on this phone. It will sync when you are online.")
    ).to_be_visible()

    day = ada.local_today().isoformat()
    stored = api_client_for(sam).post(
        f"/api/v1/patients/{ada.pk}/check-ins/",
        {
            "local_date": day,
            "overall_severity": 2,
            "quality_of_life": 75,
            "note": "Sam: good evening",
        },
        content_type="application/json",
    )
    assert stored.status_code == 201

    online_again(page, context)
    expect(sync_status(page)).to_contain_text("1 entry needs your choice.", timeout=15_000)
    sync_status(page).get_by_role("link").click()
    conflict = page.get_by_test_id("conflict")
    expect(conflict).to_contain_text("This day already has a check-in")
    expect(conflict.get_by_test_id("version-theirs")).to_contain_text("Sam: good evening")
    expect(conflict.get_by_test_id("version-mine")).to_contain_text("Maria: rash after school")
    assert_accessible(page, axe_violations)
    conflict.get_by_role("button", name="Keep both notes (your other answers)").click()
    expect(sync_status(page)).to_have_text("All entries saved to the server.", timeout=15_000)
    check_in = DailyCheckIn.objects.get(patient=ada)
    assert check_in.note == "Sam: good evening\n\nMaria: rash after school"
    assert check_in.quality_of_life == 40


# --- the rest of what a family does --------------------------------------------------------------


def test_the_carry_check_is_answered_once_and_offline_it_waits(page, context, live_server, family):
    from apps.epinephrine.models import CarryCheck

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    carry = page.get_by_test_id("carry-today")
    expect(carry).to_contain_text("How many pens are with you today?")
    context.set_offline(True)
    carry.get_by_role("button", name="2 or more").click()
    expect(carry).to_contain_text("Answered today: 2 pens with you.")
    expect(sync_status(page)).to_have_text("1 entry waiting to sync (offline).")
    assert CarryCheck.objects.count() == 0

    online_again(page, context)
    expect(sync_status(page)).to_have_text("All entries saved to the server.", timeout=15_000)
    page.reload()
    expect(page.get_by_test_id("carry-today")).to_contain_text("Answered today: 2 pens with you.")
    expect(page.get_by_text("How many pens are with you today?")).to_have_count(0)
    check = CarryCheck.objects.get()
    assert (check.patient_id, check.local_date, check.pens_with_me) == (
        family["ada"].pk,
        family["ada"].local_today(),
        2,
    )


def test_the_carry_check_time_is_set(page, live_server, family):
    from apps.epinephrine.models import CarryCheckSettings

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    go(page, "/carry-check", "Carry check")
    page.get_by_label("At what time").fill("07:45")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    settings = CarryCheckSettings.objects.get(patient=family["ada"])
    assert (settings.enabled, settings.local_time) == (True, dt.time(7, 45))


def test_the_profile_takes_a_time_zone_from_the_list_not_a_typo(
    page, live_server, family, axe_violations
):
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Leo")
    tab(page, "More")
    page.get_by_role("link", name="Profile, diagnosis and time zone").click()
    expect(page.get_by_text("Indolent systemic mastocytosis (ISM)")).to_be_visible()
    zone = page.get_by_label("Time zone")
    zone.fill("Stockholm")
    page.get_by_role("group", name="Matching time zones").get_by_role(
        "button", name="Europe/Stockholm"
    ).click()
    expect(zone).to_have_value("Europe/Stockholm")
    page.locator("input[name=sm_subtype][value=SSM]").check()
    assert_accessible(page, axe_violations)
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    leo = family["leo"]
    leo.refresh_from_db()
    assert (leo.time_zone, leo.sm_subtype) == ("Europe/Stockholm", "SSM")


def test_the_owner_manages_the_care_team_and_sees_who_read_the_record(
    page, live_server, family, axe_violations
):
    from apps.careteam.models import Membership

    api_client_for(family["sam"]).get(f"/api/v1/patients/{family['ada'].pk}/emergency-card")
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    go(page, "/audit", "Who saw the record")
    expect(page.get_by_test_id("audit-event").first).to_contain_text(
        "sam@example.org (Caregiver) looked at emergency card"
    )
    go(page, "/team", "Care team")
    sam = page.get_by_test_id("member").filter(has_text="Sam Okafor")
    expect(sam).to_contain_text("Caregiver")
    assert_accessible(page, axe_violations)
    sam.get_by_role("button", name="Remove Sam Okafor").click()
    page.get_by_role("button", name="Remove", exact=True).click()
    expect(page.get_by_test_id("member").filter(has_text="Sam Okafor")).to_have_count(0)
    assert not Membership.objects.filter(user=family["sam"], revoked_at__isnull=True).exists()


def test_an_own_symptom_is_added_and_logged(page, live_server, family):
    from apps.diary.models import SymptomEntry

    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    go(page, "/catalogue", "Your own symptoms and triggers")
    symptoms = page.get_by_role("region", name="Symptoms")
    symptoms.get_by_label("Name", exact=True).fill("Cat hair rash")
    symptoms.get_by_label("Part of the body").select_option("skin")
    symptoms.get_by_role("button", name="Add symptom").click()
    expect(symptoms).to_contain_text("Cat hair rash")
    go(page, "/log/symptom", "Log a symptom")
    page.get_by_label("Symptom", exact=True).select_option(label="Cat hair rash")
    page.get_by_role("button", name="Arms").click()
    page.get_by_role("button", name="Save symptom").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    entry = SymptomEntry.objects.get()
    assert (entry.symptom.code, entry.body_areas) == ("custom.cat_hair_rash", ["arms"])


def test_trends_show_what_came_before_flares_with_the_counts(page, live_server, family):
    from apps.diary.models import Symptom, SymptomEntry, Trigger, TriggerExposure

    ada, maria = family["ada"], family["maria"]
    heat = Trigger.objects.filter(patient=None, category="temperature").first()
    flushing = Symptom.objects.get(code="skin.flushing", patient=None)
    now = timezone.now()
    for days in (3, 8, 13):
        exposed = now - dt.timedelta(days=days, hours=5)
        TriggerExposure.objects.create(
            patient=ada, trigger=heat, occurred_at=exposed, created_by=maria
        )
        SymptomEntry.objects.create(
            patient=ada,
            symptom=flushing,
            severity=8,
            occurred_at=exposed + dt.timedelta(hours=2),
            created_by=maria,
        )
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    go(page, "/trends", "Trends")
    insight = page.get_by_test_id("trigger-insight").filter(has_text=heat.name)
    expect(insight).to_contain_text("Logged 3 times; followed by a flare within 24 hours 3 times.")
    expect(page.get_by_role("table")).to_have_count(0)  # lists, not tables, on a phone


def test_the_inbox_offline_shows_what_it_last_saw(page, context, live_server, family):
    a_message(
        family["maria"],
        family["leo"],
        "Leo's cetirizine is due",
        urgency="normal",
        category="dose_reminder",
        key="r-1",
    )
    sign_in(page, live_server, "maria@example.org")
    page.evaluate(WAIT_FOR_CONTROLLING_WORKER)
    tab(page, re.compile(r"^Inbox"))
    expect(page.get_by_test_id("message")).to_contain_text("Leo's cetirizine is due")
    context.set_offline(True)
    page.reload()
    tab(page, re.compile(r"^Inbox"))
    expect(page.get_by_test_id("stale")).to_contain_text("Offline: showing what this phone saw")
    expect(page.get_by_test_id("message")).to_contain_text("Leo's cetirizine is due")
    expect(page.get_by_text("No messages.")).to_have_count(0)


def _episode_with_epinephrine_then_the_pen(page, live_server):
    """An episode logged with one epinephrine dose; the app asks which pen and marks it."""
    sign_in(page, live_server, "maria@example.org")
    choose_patient(page, "Ada")
    go(page, "/log/anaphylaxis", "Anaphylaxis episode")
    page.get_by_label("Hives").check()
    # The glossary says "Wheeze"; the app's offline fallback "Wheezing".
    page.get_by_label(re.compile(r"^Wheez")).first.check()
    page.get_by_label("Epinephrine doses given").fill("1")
    page.get_by_role("button", name="Save episode").click()
    which = page.get_by_role("region", name="Which pen was used?")
    expect(which).to_contain_text("1 dose has no pen marked yet.")
    which.get_by_role("button", name="This one").click()
    page.get_by_role("button", name="Mark as used and alert the care team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pen used: what to do now")


def test_an_episode_with_epinephrine_asks_which_pen_was_used(page, live_server, family):
    from apps.diary.models import AnaphylaxisEpisode
    from apps.epinephrine.models import AutoInjector

    _episode_with_epinephrine_then_the_pen(page, live_server)
    expect(page.get_by_text("1 person on the care team has been alerted.")).to_be_visible()
    assert AutoInjector.objects.get().state == "used"
    assert AnaphylaxisEpisode.objects.filter(patient=family["ada"]).count() == 1


def test_marking_the_pen_of_an_episode_does_not_count_the_dose_twice(page, live_server, family):
    from apps.diary.models import AnaphylaxisEpisode

    _episode_with_epinephrine_then_the_pen(page, live_server)
    episode = AnaphylaxisEpisode.objects.get(patient=family["ada"])
    assert episode.epinephrine_doses == 1
