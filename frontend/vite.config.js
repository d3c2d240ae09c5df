import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { lingui } from '@lingui/vite-plugin';
import { VitePWA } from 'vite-plugin-pwa';

// Teal of the icon tile (scripts/make_icons.py); the status bar and splash screen match it.
const THEME_COLOR = '#0b5d6b';

export default defineConfig({
  // Django serves frontend/dist at the site root (WhiteNoise), so every asset URL is absolute from '/'.
  base: '/',
  plugins: [
    // The Lingui macro (t`…`, plural(…)) becomes catalogue look-ups at build time, with the
    // messages' ids; the plugin compiles the imported .po catalogue into the bundle.
    preact({ babel: { plugins: ['@lingui/babel-plugin-lingui-macro'] } }),
    lingui({ failOnMissing: true, failOnCompileError: true }),
    VitePWA({
      // Our own service worker (src/sw.js) instead of a generated one: push and notification clicks
      // need code, and the precache list is injected into it at build time.
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.js',
      // The server's CSP forbids inline scripts, so the plugin must not inject its registration
      // snippet; src/main.jsx registers /sw.js itself.
      injectRegister: false,
      // The clinician section (desktop, always online) is not precached on every patient's phone.
      // Nor is the pseudo-locale's catalogue (tests only); the four other languages are, so the app
      // opens offline in any of them.
      injectManifest: { globIgnores: ['**/clinic-*', '**/locale-pseudo-*'] },
      // The manifest and its icons are precached by the plugin; the badge is the one other image
      // (a notification shown offline still needs it).
      includeAssets: ['icons/badge-96.png'],
      manifest: {
        name: 'Mastline',
        short_name: 'Mastline',
        description:
          'Symptom, trigger and dose diary with missed-injection alerts for people with systemic mastocytosis, their caregivers and clinicians.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: THEME_COLOR,
        background_color: THEME_COLOR,
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
    }),
  ],
  build: {
    rollupOptions: {
      output: {
        // One chunk per language, named after it (src/lib/i18n.js loads them lazily).
        chunkFileNames: (chunk) => {
          const locale = chunk.facadeModuleId?.match(/locales\/([a-z]+)\/messages\.po/)?.[1];
          return locale ? `assets/locale-${locale}-[hash].js` : 'assets/[name]-[hash].js';
        },
      },
    },
  },
  server: {
    // `npm run dev` next to `manage.py runserver`: API calls go to Django.
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/admin': 'http://127.0.0.1:8000',
    },
  },
});
