// The inbox tab's badge: how many messages are unread, and whether an urgent one waits for
// someone to acknowledge it. C1's GET notifications/unread-count answers both; a server without
// it is asked for the unread page instead. Refreshed on start, every minute, when the signal
// comes back and whenever the inbox changes something (refreshUnread()).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';

let counts = { unread: 0, urgent: 0 };
const listeners = new Set();
let countRoute = true;

export async function refreshUnread() {
  try {
    if (countRoute) {
      try {
        const body = await api('notifications/unread-count');
        counts = { unread: body.unread, urgent: body.urgent_unacknowledged || 0 };
      } catch (error) {
        if (error.status !== 404 && error.status !== 405) throw error;
        countRoute = false;
      }
    }
    if (!countRoute) {
      const page = await api('notifications/?unread=true&page_size=100');
      const open = page.results.filter((n) => !n.resolved_at);
      counts = { unread: open.length, urgent: open.filter((n) => n.urgency === 'urgent' && !n.acknowledged_at).length };
    }
    listeners.forEach((listener) => listener(counts));
  } catch {
    // Offline or signed out: the badge keeps what it last knew.
  }
}

export function useUnread(active) {
  const [current, setCurrent] = useState(counts);
  useEffect(() => {
    if (!active) return undefined;
    listeners.add(setCurrent);
    refreshUnread();
    const timer = setInterval(refreshUnread, 60_000);
    window.addEventListener('online', refreshUnread);
    return () => {
      listeners.delete(setCurrent);
      clearInterval(timer);
      window.removeEventListener('online', refreshUnread);
    };
  }, [active]);
  return current;
}
