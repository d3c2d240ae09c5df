import { i18n, setLanguage, startLanguage } from './lib/i18n.js';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { App } from './app.jsx';
import { startSession, useSession } from './lib/session.js';
import { startSync } from './lib/sync.js';
import './styles.css';

// The account's language (auth/me) picks the app's words; a change (the picker in Your account,
// or another device) reloads the tree in the new language. Keyed by the language so every screen
// renders its words again.
function Root() {
  const session = useSession();
  const [locale, setLocale] = useState(i18n.locale);
  const wanted = session.user?.language;
  useEffect(() => {
    if (wanted) setLanguage(wanted).then(setLocale, () => {});
  }, [wanted]);
  useEffect(() => {
    const changed = () => setLocale(i18n.locale);
    i18n.on('change', changed);
    return () => i18n.removeListener('change', changed);
  }, []);
  return <App key={locale} />;
}

// The last language used on this phone (or the browser's) is loaded before the first paint, so
// nobody sees the English flash by.
startLanguage().finally(() => {
  render(<Root />, document.getElementById('app'));
  startSession();
  startSync();
});

// Registered here rather than by vite-plugin-pwa's inline snippet, which the server's CSP would block.
// Only in built code: the dev server has no /sw.js, and a stale worker would hide live edits.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    console.warn('Service worker registration failed; the app works, but not offline.', error);
  });
}
