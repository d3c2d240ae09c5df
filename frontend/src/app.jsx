import { useEffect, useState } from 'preact/hooks';
import { fetchServiceHealth } from './health.js';

function useServiceHealth() {
  const [health, setHealth] = useState('checking');

  useEffect(() => {
    let current = true;
    const check = () =>
      fetchServiceHealth().then((status) => {
        if (current) setHealth(status);
      });
    check();
    // A phone drops and regains signal often; say so as soon as the browser notices.
    window.addEventListener('online', check);
    window.addEventListener('offline', check);
    return () => {
      current = false;
      window.removeEventListener('online', check);
      window.removeEventListener('offline', check);
    };
  }, []);

  return health;
}

export function App() {
  const health = useServiceHealth();

  return (
    <main class="shell">
      <header class="brand">
        <img class="brand__mark" src="/icons/icon-192.png" alt="" width="48" height="48" />
        <h1>Mastline</h1>
      </header>

      <p class="lede">
        A diary and reminder for systemic mastocytosis: log flares and triggers in seconds, never
        miss an injection, and keep caregivers and clinicians in the loop.
      </p>

      <p class={`status status--${health}`} role="status">
        <span class="status__dot" aria-hidden="true" />
        Service: {health === 'checking' ? 'checking…' : health}
      </p>

      <p>
        <a href="/api/docs/">API documentation</a>
      </p>

      <p class="disclaimer">
        Mastline is a tracker and reminder, not a doctor: it never suggests doses or treatment changes.
      </p>
    </main>
  );
}
