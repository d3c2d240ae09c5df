// The page's side of the outbox: queue a write, send at once when there is signal, ask the
// browser for a Background Sync, and replay on start and whenever the signal comes back.
import { t } from '@lingui/core/macro';
import { useEffect, useState } from 'preact/hooks';
import { discard, enqueue, listOutbox, onOutboxChange, replay, resetBackoff, SYNC_TAG, updateItem } from './outbox.js';

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

// Queues a write and sends it at once when there is signal. Returns
//   {state: 'synced', record}    the server has it;
//   {state: 'queued'}            no signal (or the server is busy): it goes later by itself;
//   {state: 'conflict', current, code, id}  the server has another version (412 on an edit, 409
//                                a second check-in of the day): both are kept for the person.
// Throws {fields, detail, status} for a write the server refused outright (shown next to the
// form's inputs; the item is dropped, not kept as failed). A 403 is such a refusal: a write the
// person may not make is never left "waiting to sync".
export async function submitSynced({ url, body, label, method = 'POST', ifMatch, kind, patientId, key }) {
  const item = await enqueue({ url: `/api/v1/${url}`, body, label, method, ifMatch, kind, patientId, key });
  requestBackgroundSync();
  if (!navigator.onLine) return { state: 'queued', id: item.id };
  await replaying?.catch(() => {});
  const result = await replay({ onlyId: item.id }).catch(() => null);
  const outcome = result?.outcomes[item.id];
  if (outcome?.ok) return { state: 'synced', record: outcome.record, id: item.id };
  if (outcome && (outcome.status === 409 || outcome.status === 412) && outcome.body?.current) {
    return { state: 'conflict', current: outcome.body.current, code: outcome.body.code, id: item.id };
  }
  if (outcome) {
    await discard(item.id);
    throw { status: outcome.status, fields: outcome.body?.fields || {}, detail: outcome.body?.detail || t`The server refused this entry.` };
  }
  return { state: 'queued', id: item.id };
}

// The person chose in a conflict: send `body` as an edit of the server's version `current`, in
// place of the item that conflicted (same outbox id, so it is one entry in the list).
export async function resolveConflict(item, { url, body, method = 'PATCH', ifMatch }) {
  await discard(item.id);
  return submitSynced({ url, body, method, ifMatch, label: item.label, kind: item.kind, patientId: item.patientId });
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

export { discard, updateItem };
