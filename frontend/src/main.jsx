import './lib/i18n.js';
import { render } from 'preact';
import { App } from './app.jsx';
import { startSession } from './lib/session.js';
import { startSync } from './lib/sync.js';
import './styles.css';

render(<App />, document.getElementById('app'));
startSession();
startSync();

// Registered here rather than by vite-plugin-pwa's inline snippet, which the server's CSP would block.
// Only in built code: the dev server has no /sw.js, and a stale worker would hide live edits.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
    console.warn('Service worker registration failed; the app works, but not offline.', error);
  });
}
