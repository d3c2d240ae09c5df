// The outbox: every write that must survive no signal (diary entries, check-ins, doses, carry-check
// answers, edits and deletions from the history) is stored here first, with the id the phone chose for the record, then sent until the server has it.
// The server makes a repeated create harmless (200 with the stored record), so "at least once"
// from here becomes "exactly once" there. Used by the page (on start, on `online`, after each
// write) and by the service worker (Background Sync, and on its own start).
import { kvGet, withStore } from './idb.js';

export const SYNC_TAG = 'mastline-outbox';
const CHANNEL = 'mastline-outbox';
const LEASE_MS = 30_000; // a sender that died mid-request lets go of its items after this
const MAX_BACKOFF_MS = 5 * 60_000;
const SECOND_FACTOR = ['totp_required', 'totp_verification_required'];

function announce() {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage('changed');
    channel.close();
  } catch {
    // no BroadcastChannel: the page polls its own list after each replay anyway
  }
}

export function onOutboxChange(callback) {
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = callback;
  return () => channel.close();
}

const all = (store, done) => done(store.getAll());

export async function listOutbox() {
  const items = await withStore('outbox', 'readonly', all);
  return items.sort((a, b) => a.createdAt - b.createdAt);
}

// item: {method, url, body, label, kind, patientId, ifMatch?, key?}. The record's own id (body.id)
// is the outbox key, so queueing the same record twice keeps one item. A write whose body has no
// id (a carry-check answer, an edit) gets one here and sends it as `Idempotency-Key`: the server
// answers a repeat with its first answer. `kind` says what the item is (for the conflict screen);
// `ifMatch` is the version an edit was made from.
export async function enqueue({ method = 'POST', url, body, label, kind = null, patientId = null, ifMatch, key }) {
  const id = key || body?.id || crypto.randomUUID();
  const item = {
    id,
    method,
    url,
    body,
    label,
    kind,
    patientId,
    idempotent: Boolean(key) || !body?.id,
    ifMatch: ifMatch ?? null,
    current: null,
    createdAt: Date.now(),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: 0,
    leaseUntil: 0,
    error: null,
  };
  await withStore('outbox', 'readwrite', (store, done) => done(store.put(item)));
  announce();
  return item;
}

// Changes an item (a conflict answered by the person becomes a new write: see sync.js).
export async function updateItem(id, changes) {
  await withStore('outbox', 'readwrite', async (store, done) => {
    const current = await done(store.get(id));
    if (current) store.put({ ...current, ...changes });
  });
  announce();
}

export async function discard(id) {
  await withStore('outbox', 'readwrite', (store, done) => done(store.delete(id)));
  announce();
}

// Takes the items due now and marks them "sending" until a lease runs out, in one transaction, so
// the page and the service worker never send the same item at the same moment.
async function claim(onlyId) {
  const now = Date.now();
  return withStore('outbox', 'readwrite', async (store, done) => {
    const items = await done(store.getAll());
    const claimed = [];
    for (const item of items) {
      if (onlyId && item.id !== onlyId) continue;
      const free = item.status === 'pending' || (item.status === 'sending' && item.leaseUntil < now);
      if (!free || item.nextAttemptAt > now) continue;
      item.status = 'sending';
      item.leaseUntil = now + LEASE_MS;
      store.put(item);
      claimed.push(item);
    }
    return claimed.sort((a, b) => a.createdAt - b.createdAt);
  });
}

async function settle(item, changes) {
  await withStore('outbox', 'readwrite', async (store, done) => {
    if (changes === null) return done(store.delete(item.id));
    const current = await done(store.get(item.id));
    if (current) store.put({ ...current, ...changes, leaseUntil: 0 });
  });
}

function errorText(body, status) {
  if (body && typeof body === 'object') {
    const fields = Object.entries(body.fields || {})
      .map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`)
      .join('; ');
    return [body.detail, fields].filter(Boolean).join(' — ') || `HTTP ${status}`;
  }
  return `HTTP ${status}`;
}

// Sends what is due. Returns {sent, failed, waiting, stopped}. `stopped` names why it gave up early
// (signed out): the items stay queued for after the next sign-in.
export async function replay({ onlyId } = {}) {
  const result = { sent: 0, failed: 0, waiting: 0, stopped: null, outcomes: {} };
  const items = await claim(onlyId);
  if (!items.length) return result;
  const csrf = await kvGet('csrf').catch(() => null);
  for (const [index, item] of items.entries()) {
    if (result.stopped) {
      await settle(item, { status: 'pending' });
      continue;
    }
    let response;
    try {
      response = await fetch(item.url, {
        method: item.method,
        credentials: 'same-origin',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...(csrf ? { 'X-CSRFToken': csrf } : {}),
          ...(item.ifMatch != null ? { 'If-Match': `"${item.ifMatch}"` } : {}),
          ...(item.idempotent ? { 'Idempotency-Key': item.id } : {}),
        },
        body: item.body ? JSON.stringify(item.body) : undefined,
      });
    } catch {
      response = null; // no signal: try again later
    }
    const status = response ? response.status : 0;
    let body = null;
    if (response) body = await response.json().catch(() => null);
    if (response && response.ok) {
      await settle(item, null);
      result.sent += 1;
      result.outcomes[item.id] = { ok: true, record: body };
    } else if (status === 401 || (status === 403 && (SECOND_FACTOR.includes(body?.code) || /csrf/i.test(body?.detail || '')))) {
      // Signed out, the second factor is due, or the CSRF token rotated: nothing is wrong with
      // the item itself. It waits for the next sign-in (or code) and goes then.
      await settle(item, { status: 'pending' });
      result.stopped = status === 401 || /csrf/i.test(body?.detail || '') ? 'signed-out' : 'second-factor';
      result.waiting += items.length - index;
    } else if (status === 409 || status === 412) {
      // Someone else's version is on the server (a stale edit, a second check-in of the day):
      // keep both, for the person to choose (Settings → Waiting to sync, and the banner).
      await settle(item, { status: 'conflict', code: body?.code || null, current: body?.current || null, error: errorText(body, status) });
      result.failed += 1;
      result.outcomes[item.id] = { ok: false, status, body };
    } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      await settle(item, { status: 'failed', error: errorText(body, status) });
      result.failed += 1;
      result.outcomes[item.id] = { ok: false, status, body };
    } else {
      const attempts = item.attempts + 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.min(attempts - 1, 10));
      await settle(item, {
        status: 'pending',
        attempts,
        nextAttemptAt: Date.now() + backoff,
        error: status ? `HTTP ${status}` : null, // shown as "busy, trying again" (settings.jsx)
      });
      result.waiting += 1;
    }
  }
  announce();
  return result;
}

// Due items go out again even if their backoff has not run out (the network just came back).
export async function resetBackoff() {
  await withStore('outbox', 'readwrite', async (store, done) => {
    const items = await done(store.getAll());
    for (const item of items) {
      if (item.status === 'pending' && item.nextAttemptAt) store.put({ ...item, nextAttemptAt: 0 });
    }
  });
}
