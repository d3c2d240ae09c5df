"""Every screen of the patient app at 360 px: nothing scrolls sideways (tables become lists), axe
is clean in light and dark, and the README's phone screenshots are taken here."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.app_helpers import go, load_catalogues, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("healthy_service")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# (name, path, heading). {…} are filled from the demo's records.
SIGNED_OUT = [
    ("sign-in", "/", "Mastline"),
    ("sign-up", "/signup", "Mastline"),
    ("forgot-password", "/forgot-password", "Mastline"),
    ("reset-password", "/reset-password?uid=MQ&token=abc-123", "Mastline"),
]
SIGNED_IN = [
    ("today", "/today", "Today"),
    ("log", "/log", "Log"),
    ("log-symptom", "/log/symptom", "Log a symptom"),
    ("check-in", "/log/check-in", "Daily check-in"),
    ("trigger", "/log/trigger", "Log a trigger"),
    ("anaphylaxis", "/log/anaphylaxis", "Anaphylaxis episode"),
    ("lab", "/log/lab", "Lab result"),
    ("history", "/history", "History"),
    ("history-edit", "/history/symptom/{symptom}", "Change an entry"),
    ("medications", "/medications", "Medications"),
    ("medication", "/medications/{medication}", "Medication"),
    ("add-medication", "/medications/new", "Add a medication"),
    ("pens", "/pens", "Epinephrine pens"),
    ("pen", "/pens/{pen}", "Pen"),
    ("pen-used", "/pens/{pen}/used", "I used this pen"),
    ("add-pen", "/pens/new", "Add a pen"),
    ("carry-check", "/carry-check", "Carry check"),
    ("inbox", "/inbox", "Inbox"),
    ("message", "/inbox/{notification}", "Message"),
    ("trends", "/trends", "Trends"),
    ("care-team", "/team", "Care team"),
    ("audit", "/audit", "Who saw the record"),
    ("emergency-card", "/card", "Emergency card"),
    ("card-edit", "/card/edit", "Edit the card"),
    ("card-share", "/card/share", "Share the card"),
    ("profile", "/profile", "Profile"),
    ("catalogue", "/catalogue", "Your own symptoms and triggers"),
    ("settings", "/settings", "Settings"),
    ("waiting-to-sync", "/sync", "Waiting to sync"),
    ("account", "/account", "Your account"),
    ("more", "/more", "More"),
    ("new-patient", "/patients/new", "Add a patient"),
    ("invitation", "/invitations/accept", "Invitation"),
]
PHOTOGRAPHED = {
    "sign-in", "today", "log-symptom", "history", "medications", "medication", "add-medication",
    "pens", "pen-used", "inbox", "message", "trends", "care-team", "emergency-card", "card-share",
    "profile", "settings", "waiting-to-sync",
}  # fmt: skip

# A check-in made on this phone that met another one of the same day (C6), as the outbox keeps it.
CONFLICT_ITEM = """([patientId, current]) => new Promise((resolve, reject) => {
  const open = indexedDB.open('mastline', 1);
  open.onsuccess = () => {
    const tx = open.result.transaction('outbox', 'readwrite');
    tx.objectStore('outbox').put({
      id: crypto.randomUUID(), method: 'POST', url: `/api/v1/patients/${patientId}/check-ins/`,
      body: { id: crypto.randomUUID(), local_date: current.local_date, overall_severity: 6, quality_of_life: 35, note: 'Itchy after swimming; skipped dessert.' },
      label: 'Check-in', kind: 'check_in', patientId, idempotent: false, ifMatch: null,
      current, code: 'check_in_exists', createdAt: Date.now(), status: 'conflict', attempts: 0,
      nextAttemptAt: 0, leaseUntil: 0, error: 'This day already has a check-in.',
    });
    tx.oncomplete = () => { new BroadcastChannel('mastline-outbox').postMessage('changed'); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
})"""


@pytest.fixture
def small_phone(small_page):
    small_page.clock.install(time=timezone.now())
    return small_page


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    load_catalogues()
    call_command("load_demo", verbosity=0)


def _records(maria):
    """Ids for the screens that show one record: Leo's (Maria's second child) where there is one."""
    from apps.careteam.models import Membership
    from apps.diary.models import DailyCheckIn, Symptom, SymptomEntry
    from apps.diary.serializers import DailyCheckInSerializer
    from apps.epinephrine.models import AutoInjector
    from apps.medications.models import Medication
    from apps.notifications.models import Notification
    from apps.notifications.services import notify

    patients = {
        m.patient.display_name.split()[0]: m.patient
        for m in Membership.objects.filter(user=maria).select_related("patient")
    }
    leo = next(p for name, p in patients.items() if name.startswith("Leo"))
    entry = SymptomEntry.objects.filter(patient=leo).first() or SymptomEntry.objects.create(
        patient=leo,
        symptom=Symptom.objects.get(code="skin.itching", patient=None),
        severity=3,
        occurred_at=timezone.now(),
        created_by=maria,
    )
    today = leo.local_today()
    medication = Medication.objects.filter(patient=leo).first() or Medication.objects.create(
        patient=leo,
        name="Cetirizine",
        route="oral",
        start_date=today,
        regimen_kind="daily",
        times_of_day=["08:00"],
    )
    pen = AutoInjector.objects.filter(
        patient=leo, state="in_use"
    ).first() or AutoInjector.objects.create(
        patient=leo, brand="Jext", dose_mg="0.15", expires_on=today + dt.timedelta(days=90)
    )
    notification = Notification.objects.filter(recipient=maria).first() or notify(
        recipient=maria,
        patient=leo,
        category="pen_expiry",
        urgency="normal",
        dedupe_key="walk",
        source_key="walk",
        title="Leo's pen expires soon",
        body="It expires in 20 days.",
        url="/pens",
    )
    check_in, _ = DailyCheckIn.objects.get_or_create(
        patient=leo,
        local_date=leo.local_today(),
        defaults={
            "overall_severity": 2,
            "quality_of_life": 80,
            "note": "A good day at school.",
            "created_by": maria,
        },
    )
    return (
        leo,
        {
            "symptom": entry.pk,
            "medication": medication.pk,
            "pen": pen.pk,
            "notification": notification.pk,
        },
        DailyCheckInSerializer(check_in).data,
    )


def _check(page, name, axe_violations, failures):
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{name} is {width}px wide at 360px"
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found = axe_violations(page)
        if found:
            failures[f"{name} ({scheme})"] = found
    page.emulate_media(color_scheme="light")
    if name in PHOTOGRAPHED:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_every_screen_fits_360px_and_passes_axe(small_phone, live_server, demo, axe_violations):
    from apps.accounts.models import User
    from apps.ops.demo import DEMO_PASSWORD

    page = small_phone
    failures: dict[str, list] = {}
    for name, path, heading in SIGNED_OUT:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _check(page, name, axe_violations, failures)

    maria = User.objects.get(email="maria@demo.mastline.test")
    leo, ids, check_in = _records(maria)
    sign_in(page, live_server, maria.email, DEMO_PASSWORD)
    page.get_by_label("Patient").select_option(label=leo.display_name)
    page.evaluate(CONFLICT_ITEM, [str(leo.pk), check_in])
    for name, path, heading in SIGNED_IN:
        go(page, path.format(**ids), heading)
        if name == "trends":
            for summary in page.locator("summary").all():
                summary.click()  # "The numbers" open: they must fit too
        if name == "log-symptom":
            page.get_by_role("button", name="Face").click()
        _check(page, name, axe_violations, failures)
    assert failures == {}, json.dumps(failures, indent=1)
