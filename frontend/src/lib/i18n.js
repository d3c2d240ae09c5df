// The app's words: Lingui's runtime and one compiled catalogue per language
// (src/locales/<locale>/messages.po, made by `npm run extract`). Screens write every message
// through the macro (`t`, `plural`, `msg` from '@lingui/core/macro'), which turns each into a
// look-up by id at build time.
//
// English is bundled (it is the source language and the fallback); Italian, German, French and
// Spanish are each a chunk of their own, fetched only when that language is chosen, so the Today
// screen's JavaScript does not grow with every language we add. The language is the account's
// (`User.language`, from auth/me; main.jsx follows it); before anyone has signed in, the last one
// used on this phone, and failing that the browser's (`navigator.languages`).
import { i18n } from '@lingui/core';
import { messages as en } from '../locales/en/messages.po';

// Each language in its own words: whoever reads the list finds theirs.
export const LANGUAGES = [
  ['en', 'English'],
  ['it', 'Italiano'],
  ['de', 'Deutsch'],
  ['fr', 'Français'],
  ['es', 'Español'],
];

const loaders = {
  it: () => import('../locales/it/messages.po'),
  de: () => import('../locales/de/messages.po'),
  fr: () => import('../locales/fr/messages.po'),
  es: () => import('../locales/es/messages.po'),
  // The pseudo-locale (every letter accented, compiled from the English): only for the test that
  // finds text which did not pass through translation (tests/browser/test_pseudo_locale.py).
  pseudo: () => import('../locales/pseudo/messages.po'),
};

const STORED = 'mastline.language';
// A language forced on this phone whatever the account says: the pseudo-locale test sets it.
const FORCED = 'mastline.forceLanguage';

const stored = (key) => {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
};

// The supported language closest to a BCP 47 tag ('de-AT' → 'de'), or null.
export function supportedLanguage(tag) {
  if (!tag) return null;
  const base = String(tag).toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.some(([code]) => code === base) || (base === 'pseudo' && tag === 'pseudo') ? base : null;
}

// The browser's first language we speak, else English.
export function browserLanguage() {
  const asked = (typeof navigator !== 'undefined' && (navigator.languages?.length ? navigator.languages : [navigator.language])) || [];
  for (const tag of asked) {
    const code = supportedLanguage(tag);
    if (code) return code;
  }
  return 'en';
}

// Activates `code` (loading its catalogue first when needed); resolves once it is active.
export async function setLanguage(code) {
  const chosen = supportedLanguage(stored(FORCED)) || supportedLanguage(code) || 'en';
  if (!loaded.has(chosen)) {
    const { messages } = await loaders[chosen]();
    i18n.load(chosen, messages);
    loaded.add(chosen);
  }
  if (i18n.locale !== chosen) i18n.activate(chosen);
  if (typeof document !== 'undefined') document.documentElement.lang = chosen === 'pseudo' ? 'en-XA' : chosen;
  try {
    if (chosen !== 'pseudo') localStorage.setItem(STORED, chosen);
  } catch {
    // Private mode: the browser's language is used next time.
  }
  return chosen;
}

const loaded = new Set(['en']);
i18n.load('en', en);
i18n.activate('en');

// The language to start in, before the account is known.
export const startLanguage = () => setLanguage(stored(STORED) || browserLanguage()).catch(() => 'en');

// Dates, times, numbers and lists follow the reader's own locale (the browser's), not the UI
// language: an English-speaking reader in Milan still reads 15/12/2026 and 24-hour times. When
// the browser's language is another one than the app's, the app's language with the browser's
// region is used ('it' app on an 'en-CH' browser → 'it-CH'), so month names match the words around.
export const userLocale = () => {
  const browser = (typeof navigator !== 'undefined' && (navigator.languages?.[0] || navigator.language)) || 'en-GB';
  const app = i18n.locale;
  if (!app || app === 'pseudo' || supportedLanguage(browser) === app) return browser;
  const region = browser.split('-')[1];
  return region ? `${app}-${region}` : app;
};

export { i18n };
