"""The clinician section in real Chromium on a desktop screen: a clinician signs in with their
second factor, triages the patient list (most urgent first, filtered, sorted, a flag's evidence
opened), reviews one patient's charts, writes a note, prints the visit summary and reads the
treatment-response report; one without a second factor is sent to enrol it; an idle session
ends with a message. Every clinician screen passes axe in light and dark, and 1280×800
screenshots go to docs/screenshots/clinic-*.png for the README."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import time
from decimal import Decimal
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from tests.browser.conftest import pin_clock

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
CLINICIAN_EMAIL = "clinician@demo.mastline.test"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def desktop(browser, console_errors):
    context = pin_clock(browser.new_context(**DESKTOP))
    page = context.new_page()
    console_errors.watch(page)
    yield page
    context.close()


@pytest.fixture
def clinic(transactional_db):
    """The demo's clinician (Dr Lindqvist: Alex, with a recent anaphylaxis and one pen; Leo, on
    omalizumab dosed 20 days ago) plus Noor, whose 4-weekly omalizumab is 45 days old: overdue,
    in the relapse window, no pens, symptoms rising again after six good months."""
    for module in (
        "apps.diary.migrations.0002_catalogue",
        "apps.medications.migrations.0002_catalogue",
    ):
        importlib.import_module(module).load(django_apps, None)
    from apps.ops.demo import load_demo

    demo = load_demo()
    noor = _noor(demo.users["drlind"])
    return {"demo": demo, "noor": noor, "clinician": demo.users["drlind"]}


def _noor(clinician):
    from django.utils import timezone

    from apps.careteam.models import Membership, Patient, Role, SMSubtype
    from apps.clinic import triage
    from apps.diary import services as diary_services
    from apps.diary.models import DailyCheckIn, Symptom, SymptomEntry
    from apps.medications import services as medication_services
    from apps.medications.models import Medication

    now = timezone.now()
    today = now.date()
    noor = Patient.objects.create(
        display_name="Noor Haddad",
        sm_subtype=SMSubtype.INDOLENT,
        time_zone="UTC",
        date_of_birth=today - dt.timedelta(days=int(34.5 * 365)),
    )
    Membership.objects.create(patient=noor, user=clinician, role=Role.CLINICIAN)
    start = today - dt.timedelta(days=200)
    omalizumab = Medication.objects.create(
        patient=noor,
        name="Omalizumab",
        drug_class="anti_ige",
        route="subcutaneous",
        dose="300",
        dose_unit="mg",
        start_date=start,
        regimen_kind="interval",
        interval=4,
        interval_unit="weeks",
        interval_anchor="last_dose",
        times_of_day=["09:00"],
    )
    medication_services.medication_replan(medication=omalizumab)
    # Then nothing: the last dose is exactly 45 days before `now`, at now's time of day (Noor
    # lives in UTC), so it is 45 days old counted either way, in whole 24-hour periods or in
    # local calendar days, at whatever hour the test runs.
    for day in (0, 28, 56, 84, 112, 140, 155):
        taken_at = dt.datetime.combine(start + dt.timedelta(days=day), now.time(), tzinfo=dt.UTC)
        medication_services.dose_create(
            fields={
                "patient": noor,
                "medication": omalizumab,
                "taken_at": taken_at,
                "given_by": "clinic",
                "location": "clinic",
                "injection_site": "arm_left" if day % 56 else "thigh_left",
                "created_by": clinician,
            },
            digest="",
        )

    flushing = Symptom.objects.get(code="skin.flushing", patient=None)
    diarrhoea = Symptom.objects.get(code="gi.diarrhoea", patient=None)

    def severities(day):  # day 0 = the first injection
        if day < 0:
            return 7, 6  # baseline
        if day < 60:
            return 4, 5
        if day < 190:
            return 1, 3  # good control of the skin, less of the gut (as in the cohort)
        return 6, 5  # the relapse after the missed dose

    entries, check_ins = [], []
    for day in range(-28, 201):
        date = start + dt.timedelta(days=day)
        if date > today:
            break
        skin, gut = severities(day)
        noon = dt.datetime.combine(date, dt.time(12), tzinfo=dt.UTC)
        later = noon + dt.timedelta(hours=2)
        if later > now:  # today, before 14:00: both at midnight, nothing from the future
            noon = later = dt.datetime.combine(date, dt.time(0), tzinfo=dt.UTC)
        entries.append(
            SymptomEntry(patient=noor, occurred_at=noon, symptom=flushing, severity=skin)
        )
        entries.append(
            SymptomEntry(
                patient=noor,
                occurred_at=later,
                symptom=diarrhoea,
                severity=gut,
            )
        )
        check_ins.append(
            DailyCheckIn(
                patient=noor,
                local_date=date,
                overall_severity=max(skin, gut),
                quality_of_life=max(5, 95 - 9 * max(skin, gut)),
            )
        )
    SymptomEntry.objects.bulk_create(entries)
    DailyCheckIn.objects.bulk_create(check_ins)
    triage.refresh(noor.pk)  # a bulk write sends no signal: the stored triage (apps.clinic.triage)
    for analyte, value, day in [
        ("tryptase", "24.5", -10),
        ("tryptase", "23.9", 90),
        ("tryptase", "24.2", 170),
        ("total_ige", "110", -10),
        ("total_ige", "420", 90),
        ("kit_d816v", "0.4", -10),
    ]:
        diary_services.lab_create(
            fields={
                "patient": noor,
                "analyte": analyte,
                "value": Decimal(value),
                "sampled_at": dt.datetime.combine(
                    start + dt.timedelta(days=day), dt.time(8), tzinfo=dt.UTC
                ),
                "created_by": clinician,
            },
            digest="",
        )
    return noor


def totp_now(secret: str, offset_steps: int = 0) -> str:
    from apps.accounts.totp import STEP_SECONDS, totp

    return totp(secret, time.time() + offset_steps * STEP_SECONDS)


def sign_in(page, live_server, user, path="/clinic/patients"):
    """Through the clinic's own sign-in: password, then the authenticator's code."""
    from apps.ops.demo import DEMO_PASSWORD
    from tests.factories import enable_totp

    enable_totp(user, TOTP_SECRET)
    page.goto(f"{live_server.url}/clinic/signin?next={path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_label("Code from your authenticator app").fill(totp_now(TOTP_SECRET))
    page.get_by_role("button", name="Verify").click()


def go(page, path):
    page.evaluate(
        "path => { history.pushState({}, '', path); dispatchEvent(new PopStateEvent('popstate')); }",
        path,
    )


def rows(page):
    return page.get_by_test_id("patient-row")


def canvas_painted(page, testid):
    """The chart's canvas exists, has a size and has pixels drawn on it."""
    return page.evaluate(
        """testid => {
          const canvas = document.querySelector(`[data-testid="${testid}"] canvas`);
          if (!canvas || !canvas.width || !canvas.height) return false;
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
          return false;
        }""",
        testid,
    )


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_a_clinician_triages_reviews_notes_and_prints(
    desktop, live_server, clinic, axe_violations, console_errors
):
    from apps.clinic.models import ClinicalNote

    page = desktop
    noor = clinic["noor"]
    sign_in(page, live_server, clinic["clinician"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")

    # Most urgent first: Noor (relapse window, overdue), then Alex (anaphylaxis 12 days ago).
    expect(rows(page)).to_have_count(3)
    names = rows(page).locator("th a").all_text_contents()
    assert names[:2] == ["Noor Haddad", "Alex Rivera"], names
    noor_row = rows(page).nth(0)
    flags = noor_row.locator("[data-flag]").evaluate_all("els => els.map((el) => el.dataset.flag)")
    assert {"relapse_window", "overdue_injection", "pens_missing", "worsening_symptoms"} <= set(
        flags
    ), flags
    assert flags[0] == "relapse_window"  # urgent before warnings
    expect(noor_row).to_contain_text("45 d")
    assert "recent_anaphylaxis" in rows(page).nth(1).locator("[data-flag]").evaluate_all(
        "els => els.map((el) => el.dataset.flag)"
    )
    anaphylaxis = rows(page).nth(1).locator('[data-flag="recent_anaphylaxis"]')
    expect(anaphylaxis).to_contain_text("1 episode in the last 30 days")
    expect(anaphylaxis).not_to_contain_text("(s)")
    # Priority in words with its reasons, not a bare score.
    priorities = rows(page).get_by_test_id("priority")
    expect(priorities.nth(0)).to_contain_text("High")
    expect(priorities.nth(0)).to_contain_text(re.compile(r"\d urgent flags?, \d warnings?"))
    expect(priorities.nth(1)).to_contain_text("High1 urgent flag")
    assert not re.search(r"\b\d{2,3}\b", priorities.nth(0).inner_text())
    expect(page.get_by_role("columnheader", name=re.compile("^Priority"))).to_have_attribute(
        "aria-sort", "descending"
    )
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    shoot(page, "clinic-list")

    # Filter: only recent anaphylaxis.
    chip = page.get_by_role("button", name="Anaphylaxis in 30 days")
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("list-count")).to_have_text(
        "1 patient flagged “Anaphylaxis in 30 days”."
    )
    expect(rows(page)).to_have_count(1)
    expect(rows(page).nth(0)).to_contain_text("Alex Rivera")
    assert "flag=recent_anaphylaxis" in page.url
    page.get_by_role("button", name="All patients").click()
    expect(rows(page)).to_have_count(3)

    # Sort by name.
    page.get_by_role("button", name=re.compile("^Patient")).click()
    expect(page.get_by_role("columnheader", name=re.compile("^Patient"))).to_have_attribute(
        "aria-sort", "ascending"
    )
    expect(rows(page).nth(0)).to_contain_text("Alex Rivera")
    assert rows(page).locator("th a").all_text_contents() == [
        "Alex Rivera",
        "Leo Okafor",
        "Noor Haddad",
    ]

    # A flag's evidence: Noor's doses of omalizumab, fetched into a panel.
    overdue = page.locator(f'[data-patient="{noor.pk}"] [data-flag="overdue_injection"]')
    overdue.click()
    expect(overdue).to_have_attribute("aria-expanded", "true")
    evidence = page.get_by_test_id("evidence")
    expect(evidence.get_by_role("heading")).to_have_text(
        "Evidence: Overdue injection — Noor Haddad"
    )
    expect(evidence.locator("tbody tr")).to_have_count(7)
    assert axe_violations(page) == []
    evidence.get_by_role("button", name="Close").click()
    expect(evidence).to_have_count(0)

    # The patient view: charts with their numbers, and notes.
    page.get_by_role("link", name="Noor Haddad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noor Haddad")
    for chart in ("chart-burden", "chart-qol", "chart-doses", "lab-tryptase", "lab-total_ige"):
        expect(page.get_by_test_id(chart).locator("canvas")).to_have_count(1)
        assert canvas_painted(page, chart), chart
    expect(page.get_by_test_id("chart-burden")).to_contain_text("Skin: 6 on")
    expect(page.get_by_test_id("chart-doses")).to_contain_text(
        re.compile(r"Omalizumab: \d+ taken, 1 missed")
    )
    # The clinical part of who saw the record: this clinician's own visit is on it.
    audit = page.get_by_test_id("audit")
    expect(audit).to_contain_text("Who saw this record")
    expect(audit).to_contain_text("(clinician)")
    expect(audit).to_contain_text("Looked at the clinic overview")
    expect(audit).not_to_contain_text("clinic-overview")
    expect(page.get_by_test_id("chart-qol")).to_contain_text(
        "Quality of life, from 0 (worst) to 100 (best)"
    )
    # At 1,440 px the trail fits its column: nothing clipped, no sideways scroll inside it.
    page.set_viewport_size({"width": 1440, "height": 900})
    fit = page.get_by_test_id("audit-table").evaluate(
        """table => {
            const box = table.closest('.card').getBoundingClientRect();
            const scroller = table.parentElement;
            return {
                inside: table.getBoundingClientRect().right <= box.right + 0.5,
                scrolls: scroller.scrollWidth - scroller.clientWidth,
            };
        }"""
    )
    assert fit == {"inside": True, "scrolls": 0}, fit
    page.set_viewport_size(DESKTOP["viewport"])
    notes = page.get_by_test_id("notes")
    expect(notes).to_contain_text("No notes yet.")
    notes.get_by_label("Note").fill("Relapse after the missed omalizumab dose; restart this week.")
    notes.get_by_role("button", name="Add note").click()
    expect(notes.get_by_role("status")).to_have_text("Note added.")
    expect(notes.locator(".note__text")).to_have_text(
        "Relapse after the missed omalizumab dose; restart this week."
    )
    note = ClinicalNote.objects.get(patient=noor)
    assert (note.patient_id, note.author_id) == (noor.pk, clinic["clinician"].pk)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "clinic-patient")

    # The printable visit summary, as the print dialog lays it out.
    page.get_by_role("link", name="Visit summary to print").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visit summary: Noor Haddad")
    expect(page.get_by_role("button", name="Print / save as PDF")).to_be_enabled()
    summary = page.get_by_test_id("visit-summary")
    expect(summary).to_contain_text("Relapse after the missed omalizumab dose")
    assert canvas_painted(page, "summary-burden")
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    expect(page.locator(".clinic-bar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print / save as PDF")).to_be_hidden()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.summary-paper')).color")
        == "rgb(0, 0, 0)"
    )
    shoot(page, "clinic-summary")
    page.emulate_media(media="screen")

    # Treatment response to omalizumab, and the cohort of the clinician's patients on it.
    go(page, f"/clinic/patients/{noor.pk}/response")
    expect(page.get_by_role("heading", level=1)).to_have_text("Treatment response: Noor Haddad")
    # Skin 7 → 1 at month 3 (major); the gut 6 → 3 (partial); overall partial, as in the cohort.
    skin = page.get_by_test_id("response-table").get_by_role("row", name=re.compile("^Skin"))
    expect(skin).to_contain_text("Major response")
    expect(page.get_by_test_id("classification")).to_have_text(
        "Overall: Partial response (at month 6)."
    )
    expect(page.get_by_test_id("cohort-table")).to_be_visible()
    expect(page.get_by_test_id("cohort-patients")).to_contain_text("Leo Okafor")
    # Leo (one dose 20 days ago, the next not yet due) is not "stopped": not yet evaluable.
    leo = page.get_by_test_id("cohort-patients").get_by_role("row", name=re.compile("Leo Okafor"))
    expect(leo).to_contain_text("Not yet evaluable")
    expect(leo).not_to_contain_text("Stopped")
    expect(page.get_by_test_id("cohort-evaluable")).to_have_text(
        "1 of 2 patients on Omalizumab evaluable; 1 not yet evaluable."
    )
    expect(page.get_by_test_id("response-evidence")).to_contain_text("7 doses taken")
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    shoot(page, "clinic-response")
    assert console_errors == []


CLINIC_SCREENS = [
    # (path, heading) — {noor} is Noor's id
    ("/clinic/patients", "Patients"),
    ("/clinic/patients/{noor}", "Noor Haddad"),
    ("/clinic/patients/{noor}/summary", "Visit summary: Noor Haddad"),
    ("/clinic/patients/{noor}/response", "Treatment response: Noor Haddad"),
    ("/clinic/response", "Treatment response of my patients"),
    ("/clinic/security", "Two-step sign-in"),
]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_every_clinician_screen_is_accessible(
    desktop, live_server, clinic, axe_violations, color_scheme
):
    page = desktop
    page.emulate_media(color_scheme=color_scheme)
    page.goto(f"{live_server.url}/clinic/signin")
    # The clinic's code arrives lazily: audit the sign-in form once it is there.
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    failures = {"signin": axe_violations(page)}
    sign_in(page, live_server, clinic["clinician"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    for path, heading in CLINIC_SCREENS:
        go(page, path.format(noor=clinic["noor"].pk))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.wait_for_load_state("networkidle")
        expect(page.locator("main .muted", has_text=re.compile("^Loading"))).to_have_count(0)
        failures[path] = axe_violations(page)
    # The narrowest desktop window still fits: no sideways scrolling of the page itself.
    page.set_viewport_size({"width": 800, "height": 800})
    go(page, "/clinic/patients")
    expect(page.get_by_test_id("patient-row")).to_have_count(3)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the list scrolls sideways by {overflow}px"
    failures = {path: found for path, found in failures.items() if found}
    assert failures == {}, json.dumps(failures, indent=1)


def test_a_clinician_without_a_second_factor_enrols_and_an_idle_session_ends(
    desktop, live_server, clinic, axe_violations
):
    from django.conf import settings

    from apps.accounts.otp import SESSION_LAST_ACTIVITY
    from apps.ops.demo import DEMO_PASSWORD

    page = desktop
    page.goto(f"{live_server.url}/clinic/patients")
    api_calls: list[tuple[str, int]] = []
    page.on(
        "response", lambda r: api_calls.append((r.url, r.status)) if "/api/v1/" in r.url else None
    )
    page.get_by_label("Email").fill(CLINICIAN_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    # No authenticator yet: enrolment first, then back; no patient data is asked for before it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    assert "/clinic/security?next=%2Fclinic%2Fpatients" in page.url
    page.wait_for_load_state("networkidle")
    before_factor = [url for url, _ in api_calls if "/api/v1/auth/" not in url]
    assert before_factor == [], before_factor
    assert [call for call in api_calls if call[1] == 403] == []
    page.get_by_role("button", name="Set up an authenticator app").click()
    qr = page.get_by_role("img", name="QR code that adds Mastline to an authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    page.get_by_label("The 6-digit code the app shows").fill(totp_now(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("button", name="I have saved them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    expect(rows(page)).to_have_count(3)

    # Fifteen quiet minutes later (the session's clock set back), the next request signs out.
    page.wait_for_load_state("networkidle")
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])
    session[SESSION_LAST_ACTIVITY] = (
        time.time() - (settings.CLINICIAN_IDLE_TIMEOUT_MINUTES + 1) * 60
    )
    session.save()
    page.get_by_role("button", name="Worsening symptoms", exact=True).click()
    expect(page.get_by_test_id("signed-out-reason")).to_have_text(
        "Signed out after 15 minutes without activity."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Mastline Clinic")
    expect(rows(page)).to_have_count(0)
    assert axe_violations(page) == []

    # Signed in again through the patient app: it asks for the code too, then, for someone who
    # is only a clinician, opens the clinic.
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(CLINICIAN_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Enter your code")
    assert axe_violations(page) == []
    # The enrolment used this time step's code; the app's next one is accepted too (±1 step).
    page.get_by_label("Code from your authenticator app").fill(totp_now(secret, offset_steps=1))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/clinic/patients")
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    expect(rows(page)).to_have_count(3)
