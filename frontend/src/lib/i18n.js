// The app's words: Lingui's runtime with the compiled catalogue of the one language we ship so
// far (English; the catalogue is src/locales/<locale>/messages.po, made by `npm run extract`).
// Screens write every message through the macro (`t`, `plural`, `msg` from '@lingui/core/macro'),
// which turns each into a look-up by id at build time. Imported first by main.jsx, so the language
// is active before anything renders.
import { i18n } from '@lingui/core';
import { messages as en } from '../locales/en/messages.po';

i18n.loadAndActivate({ locale: 'en', messages: en });

// Dates, times, numbers and lists follow the reader's own locale (the browser's), not the UI
// language: an English-speaking reader in Milan still reads 15/12/2026 and 24-hour times.
export const userLocale = () => (typeof navigator !== 'undefined' && (navigator.languages?.[0] || navigator.language)) || 'en-GB';

export { i18n };
