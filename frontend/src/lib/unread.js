// The inbox tab's badge: how many messages are unread, and whether an urgent one waits for
// someone to acknowledge it (C1's GET notifications/unread-count answers both). Refreshed on
// start, every minute, when the signal comes back and whenever the inbox changes something
// (refreshUnread()).
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';

let counts = { unread: 0, urgent: 0 };
const listeners = new Set();

export async function refreshUnread() {
  try {
    const body = await api('notifications/unread-count');
    counts = { unread: body.count, urgent: body.urgent_unacknowledged || 0 };
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
