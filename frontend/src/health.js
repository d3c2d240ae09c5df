import { useEffect, useState } from 'preact/hooks';

// What the status line says about GET /api/health. The endpoint answers 200 or 503 with a JSON
// {"status": "ok" | "degraded", ...} body, so the body decides, not the HTTP status; anything
// else (offline, a proxy error page, a time-out) means the app cannot reach its server.
const KNOWN = new Set(['ok', 'degraded']);

export async function fetchServiceHealth({ timeoutMs = 8000 } = {}) {
  try {
    const response = await fetch('/api/health', {
      headers: { Accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.json();
    return KNOWN.has(body?.status) ? body.status : 'unreachable';
  } catch {
    return 'unreachable';
  }
}

export function useServiceHealth() {
  const [health, setHealth] = useState('checking');
  useEffect(() => {
    let current = true;
    const check = () => fetchServiceHealth().then((status) => current && setHealth(status));
    check();
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
