// The page's side of the outbox: queue a write, send at once when there is signal, ask the
// browser for a Background Sync, and replay on start and whenever the signal comes back.
import { useEffect, useState } from 'preact/hooks';
import { discard, enqueue, listOutbox, onOutboxChange, replay, resetBackoff, SYNC_TAG } from './outbox.js';

async function requestBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register(SYNC_TAG);
  } catch {
    // No Background Sync (Firefox, Safari): the page replays on start and on `online`.
  }
}

let replaying = null;
export function replayNow() {
  if (!replaying) {
    replaying = replay()
      .catch(() => null)
      .finally(() => {
        replaying = null;
      });
  }
  return replaying;
}

// Returns {state: 'synced' | 'queued', record} or throws {fields, detail} for a write the server
// refused at once (shown next to the form's inputs; the item is then dropped, not kept as failed).
export async function submitSynced({ url, body, label, method = 'POST', ifMatch }) {
  const item = await enqueue({ url: `/api/v1/${url}`, body, label, method, ifMatch });
  requestBackgroundSync();
  if (!navigator.onLine) return { state: 'queued' };
  await replaying?.catch(() => {});
  const result = await replay({ onlyId: item.id }).catch(() => null);
  const outcome = result?.outcomes[item.id];
  if (outcome?.ok) return { state: 'synced', record: outcome.record };
  if (outcome && outcome.status !== 409) {
    await discard(item.id);
    throw { fields: outcome.body?.fields || {}, detail: outcome.body?.detail || 'The server refused this entry.' };
  }
  return { state: 'queued' };
}

export function startSync() {
  replayNow();
  window.addEventListener('online', () => resetBackoff().then(replayNow));
  // Items waiting for a backoff to pass are retried while the app is open.
  setInterval(() => navigator.onLine && replayNow(), 15_000);
}

export function useOutbox() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    let live = true;
    const refresh = () => listOutbox().then((list) => live && setItems(list)).catch(() => {});
    refresh();
    const stop = onOutboxChange(refresh);
    return () => {
      live = false;
      stop();
    };
  }, []);
  return items;
}

export { discard };
