"""Every screen of the app in the pseudo-locale: any visible text that did not pass through
translation fails.

The pseudo-locale (lingui.config.js `pseudoLocale`) is compiled from the English with every
letter accented (`Save` → `Śàvē`), so a word written in plain ASCII letters on a screen is one of:
the person's own data (names, notes, the catalogue words the server sends), a date or number from
Intl, a proper name (Mastline, EpiPen, FHIR), or a string that skipped Lingui. The first three are
allowed; the last fails, with the screen and the text.

The words allowed as data are every word stored in the database the screens read (whatever a
person typed, the server's catalogue names and notification texts), so the test needs no list of
what each screen shows. The pseudo alphabet leaves v and x as they are: a word of only those
letters (and digits) passes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import models
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.app_helpers import go
from tests.browser.test_clinic import clinic, desktop
from tests.browser.test_screens import CONFLICT_ITEM, SIGNED_IN, SIGNED_OUT, _records, demo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("healthy_service")]
__all__ = ["clinic", "demo", "desktop"]

# Proper names and codes that no language translates.
PROPER = {
    "Mastline", "EpiPen", "Jext", "Emerade", "FHIR", "CSV", "KIT", "D816V", "IgE", "QR", "SM",
    "ISM", "BMM", "SSM", "ASM", "AHN", "MCL", "CM", "MCAS", "iPhone", "iPad", "Europe",
    "Stockholm", "English", "Italiano", "Deutsch", "Français", "Español", "mmHg", "mg", "g", "mL", "IU", "ng", "kU", "UTC", "CET", "CEST", "GMT",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_][^\W\d_'’]*")
ASCII = re.compile(r"[A-Za-z'’]+")

# Server texts of the clinic that do not pass through gettext yet (apps/clinic/flags.py: flag
# titles and their evidence; apps/clinic/response.py: the method's words; medication regimens in
# words): the server's to translate, listed here so the test guards everything the front end
# writes. Each entry is a pattern of a whole text.
CLINIC_SERVER_ENGLISH = [
    re.compile(p)
    for p in (
        r"\d+ of \d+ pens ready",
        r".* in the last 30 days, the latest on .+",
        r"Anaphylaxis in the last 30 days",
        r"Fewer than 2 usable epinephrine pens",
        r"In the relapse window",
        r"Overdue injection",
        r"Worsening symptoms",
        r".+: \d+ days since the last dose \(relapse seen on day \d+ in the published case\)",
        r".+: \d+ days overdue, \d+ days since the last dose",
        r"mean daily peak severity .+ in the last \d+ days against .+ in the \d+ days before",
        r"(· on )?.+ \((every|a dose) .+\)",
        r"Burden|Reduction|Min baseline burden|Min days with data",
        r"Mean over the window's days with data .+",
        r"\(baseline − window\) / baseline",
        r"(window burden|reduction) .+",
        r"excluded \(concomitant cytoreductive therapy\), .+",
        r"the medication ended before day \d+ .+",
    )
]

# What a person sees: text nodes of rendered elements, and the labels only a screen reader reads.
VISIBLE_TEXT = """() => {
  const out = [];
  const shown = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      if (e.hidden || e.getAttribute('aria-hidden') === 'true') return false;
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden') return false;
    }
    return true;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEXTAREA'].includes(el.tagName)) continue;
    // <option>s of a closed <select> are still read out and shown once opened.
    if (el.tagName !== 'OPTION' && !shown(el)) continue;
    const text = n.textContent.trim();
    if (text) out.push(text);
  }
  for (const el of document.querySelectorAll('[aria-label],[placeholder],[title],img[alt]')) {
    for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value.trim());
    }
  }
  out.push(document.title);
  return out;
}"""

# Intl's own words in the reader's locale (month and weekday names, AM/PM, "yesterday"…).
INTL_WORDS = """() => {
  const locale = navigator.language;
  const words = new Set();
  const add = (text) => (text.match(/[A-Za-z]+/g) || []).forEach((w) => words.add(w));
  for (let m = 0; m < 12; m++) {
    const d = new Date(Date.UTC(2026, m, 15, 12));
    for (const month of ['long', 'short', 'narrow']) add(d.toLocaleDateString(locale, { month }));
  }
  for (let day = 0; day < 7; day++) {
    const d = new Date(Date.UTC(2026, 10, 23 + day, 12));
    for (const weekday of ['long', 'short']) add(d.toLocaleDateString(locale, { weekday }));
  }
  add(new Date(Date.UTC(2026, 0, 1, 3)).toLocaleTimeString(locale, { hour: 'numeric', hour12: true }));
  add(new Date(Date.UTC(2026, 0, 1, 15)).toLocaleTimeString(locale, { hour: 'numeric', hour12: true }));
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const unit of ['day', 'hour', 'minute', 'week']) for (const n of [-2, -1, 0, 1, 2]) add(rtf.format(n, unit));
  for (const style of ['long', 'short']) add(new Intl.ListFormat(locale, { style, type: 'conjunction' }).format(['1', '2', '3']));
  add(new Intl.ListFormat(locale, { type: 'disjunction' }).format(['1', '2']));
  if (Intl.DurationFormat) add(new Intl.DurationFormat(locale, { style: 'long' }).format({ days: 2, hours: 2, minutes: 2 }));
  add(new Intl.DurationFormat ? new Intl.DurationFormat(locale, { style: 'long' }).format({ days: 1, hours: 1, minutes: 1 }) : '');
  for (const zone of Intl.supportedValuesOf('timeZone')) add(zone);
  for (const zone of ['Europe/Rome', 'Europe/London', 'America/New_York', 'UTC']) {
    add(new Date().toLocaleTimeString(locale, { timeZone: zone, timeZoneName: 'short' }));
    add(new Date().toLocaleTimeString(locale, { timeZone: zone, timeZoneName: 'long' }));
  }
  return [...words];
}"""


def _data_words() -> set[str]:
    """Every word of every text stored by the apps: what people typed and the server's words."""
    words: set[str] = set()
    for model in django_apps.get_models():
        if not model.__module__.startswith("apps."):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            words.update(WORD.findall(json.dumps(row, ensure_ascii=False)))
    return words


def _server_messages() -> list[re.Pattern[str]]:
    """The server's own messages (its gettext catalogue, checked complete by
    tests/core/test_messages.py), as patterns: the API answers the pseudo-locale in English, so
    a text that is one of them, placeholders filled, went through translation on the server."""
    import gettext

    from django.conf import settings

    mo = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    placeholder = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
    patterns = []
    for key in catalogue:
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and len(msgid) > 2:
            parts = [re.escape(part) for part in placeholder.split(msgid)]
            patterns.append(re.compile(".+?".join(parts)))
    return patterns


def _untranslated(
    texts: list[str], allowed: set[str], server: list[re.Pattern[str]] = ()
) -> list[str]:
    found = []
    for text in texts:
        bare_text = text.strip(" —·:,.")
        if any(pattern.fullmatch(bare_text) or pattern.fullmatch(text) for pattern in server):
            continue
        for word in WORD.findall(text):
            bare = word.strip("'’")
            if not ASCII.fullmatch(bare) or re.fullmatch(r"[vVxX]+", bare) or len(bare) == 1:
                continue  # accented: it went through the pseudo-locale
            if bare in allowed or bare in PROPER:
                continue
            found.append(text)
            break
    return found


def _force_pseudo(page) -> None:
    page.add_init_script("localStorage.setItem('mastline.forceLanguage', 'pseudo')")


def test_the_pseudo_locale_reaches_the_screen(small_page, live_server, demo) -> None:
    """The test can fail: the sign-in screen in the pseudo-locale has no plain-ASCII word of
    its own, and in English it has many."""
    page = small_page
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    english = page.evaluate(VISIBLE_TEXT)
    assert len(_untranslated(english, set())) > 5
    _force_pseudo(page)
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "en-XA")
    assert _untranslated(page.evaluate(VISIBLE_TEXT), set()) == []


def test_every_screen_of_the_app_passes_through_translation(small_page, live_server, demo) -> None:
    from apps.accounts.models import User
    from apps.ops.demo import DEMO_PASSWORD

    page = small_page
    page.clock.install(time=timezone.now())
    _force_pseudo(page)
    failures: dict[str, list[str]] = {}

    def check(name: str, allowed: set[str]) -> None:
        page.wait_for_load_state("networkidle")
        expect(page.locator("main .muted", has_text=re.compile("^L[oō]"))).to_have_count(0)
        found = _untranslated(page.evaluate(VISIBLE_TEXT), allowed)
        if found:
            failures[name] = found

    intl: set[str] = set()  # Intl's words, read once a page is open
    for name, path, _heading in SIGNED_OUT:
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        if not intl:
            intl = set(page.evaluate(INTL_WORDS))
        check(name, intl)

    maria = User.objects.get(email="maria@demo.mastline.test")
    leo, ids, check_in = _records(maria)
    # The outbox item the walk plants (test data, as this phone stored it) counts as data too.
    allowed = intl | _data_words() | set(WORD.findall(CONFLICT_ITEM))
    page.goto(f"{live_server.url}/")
    page.locator("input[type=email]").fill(maria.email)
    page.locator("input[type=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("nav a[href='/today']")).to_be_visible()
    page.locator("select").first.select_option(label=leo.display_name)
    page.evaluate(CONFLICT_ITEM, [str(leo.pk), check_in])
    for name, path, _heading in SIGNED_IN:
        go(page, path.format(**ids))
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        check(name, allowed)
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)


def test_every_screen_of_the_clinic_passes_through_translation(
    desktop, live_server, clinic
) -> None:
    from tests.browser.test_clinic import CLINIC_SCREENS, sign_in

    page = desktop
    failures: dict[str, list[str]] = {}

    server = [*_server_messages(), *CLINIC_SERVER_ENGLISH]

    def check(name: str, allowed: set[str]) -> None:
        page.wait_for_load_state("networkidle")
        found = _untranslated(page.evaluate(VISIBLE_TEXT), allowed, server)
        if found:
            failures[name] = found

    # The sign-in, in the pseudo-locale; then signed in (in English: the helper reads English
    # labels) and every screen loaded afresh in the pseudo-locale.
    page.goto(f"{live_server.url}/clinic/signin")
    page.evaluate("localStorage.setItem('mastline.forceLanguage', 'pseudo')")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en-XA")
    intl = set(page.evaluate(INTL_WORDS))
    check("signin", intl)
    page.evaluate("localStorage.removeItem('mastline.forceLanguage')")
    sign_in(page, live_server, clinic["clinician"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    page.evaluate("localStorage.setItem('mastline.forceLanguage', 'pseudo')")
    allowed = intl | _data_words()
    for path, _heading in CLINIC_SCREENS:
        page.goto(f"{live_server.url}{path.format(noor=clinic['noor'].pk)}")
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        expect(page.locator("main .muted", has_text=re.compile("^L[oō]"))).to_have_count(0)
        check(path, allowed)
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)
