// Lingui: messages are written in English in the source (`t`, `plural`, `msg` from
// '@lingui/core/macro'), extracted by `npm run extract` into src/locales/<locale>/messages.po and
// compiled into the bundle by @lingui/vite-plugin. English is the only catalogue for now; the
// translation issue adds it, de, fr and es here.
import { defineConfig } from '@lingui/cli';
import { formatter } from '@lingui/format-po';

export default defineConfig({
  sourceLocale: 'en',
  locales: ['en'],
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
