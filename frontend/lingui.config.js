// Lingui: messages are written in English in the source (`t`, `plural`, `msg` from
// '@lingui/core/macro'), extracted by `npm run extract` into src/locales/<locale>/messages.po and
// compiled by @lingui/vite-plugin. English is bundled; it, de, fr and es are loaded lazily, one
// chunk per language (src/lib/i18n.js). `pseudo` is the pseudo-locale: its catalogue is left
// empty and compiled from the English with every letter accented (tests/browser/test_pseudo_locale.py
// fails on any visible text that did not pass through it).
import { defineConfig } from '@lingui/cli';
import { formatter } from '@lingui/format-po';

export default defineConfig({
  sourceLocale: 'en',
  locales: ['en', 'it', 'de', 'fr', 'es', 'pseudo'],
  pseudoLocale: 'pseudo',
  fallbackLocales: { pseudo: 'en' },
  catalogs: [
    {
      path: '<rootDir>/src/locales/{locale}/messages',
      include: ['<rootDir>/src'],
      exclude: ['**/node_modules/**', '<rootDir>/src/locales/**'],
    },
  ],
  // No line numbers: a catalogue that changes only when a message changes.
  format: formatter({ lineNumbers: false }),
  orderBy: 'messageId',
});
