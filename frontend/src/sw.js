// Mastline's service worker, served from /sw.js so its scope is the whole site.
// vite-plugin-pwa (injectManifest) bundles this file and replaces self.__WB_MANIFEST with the list of
// built files and their revisions.
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { kvGet } from './lib/idb.js';
import { enqueue, replay, SYNC_TAG } from './lib/outbox.js';

// The app shell (index.html, hashed bundles, icons, manifest) comes from the cache, so the app opens
// with no signal. Caches of older builds are dropped once this one is installed.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Any in-app URL (/today, /meds/3, …) is the same single-page shell. /api/ and /admin/ are the
// server's own pages and must reach it.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api\//, /^\/admin\//],
  }),
);

// /api/ responses are deliberately never cached: they hold health data, and a stale dose schedule is
// worse than an honest "offline". With no route for them, they simply go to the network.

// A new build takes over at once instead of waiting for every tab to close: the shell is versioned
// as a whole, and reminders must not run on an old worker for days.
self.skipWaiting();
clientsClaim();

// --- The outbox --------------------------------------------------------------------------------
// Writes made offline wait in IndexedDB (src/lib/outbox.js). The worker sends them when the
// browser fires Background Sync, and whenever it starts (a push, a page load, a notification
// click all start it), so a queued entry goes out even if the app is never opened again.
self.addEventListener('sync', (event) => {
  if (event.tag === SYNC_TAG) event.waitUntil(sendOutbox());
});

function sendOutbox() {
  return replay().then((result) => {
    // Background Sync retries a sync whose promise rejects: only while something is still waiting.
    if (result.waiting && !result.stopped) throw new Error('outbox: items still waiting');
    return result;
  });
}

replay().catch(() => {});

// --- Web Push ------------------------------------------------------------------------------------
// The payload is {id, url, tag, urgency, title, body, actions} and by design names no symptom,
// drug or dose (it passes through the browser vendor's push service); the app shows details after
// opening, from GET /api/v1/notifications/{id}/.
self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    // A malformed payload still deserves a notification: an alert must not be lost silently.
  }
  const { id, title = 'Mastline', body = '', tag, url = '/', urgency, actions = [] } = payload;
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(title, {
        body,
        tag, // the same tag replaces an earlier notification (e.g. the next escalation of one dose)
        renotify: Boolean(tag),
        requireInteraction: urgency === 'urgent',
        icon: '/icons/icon-192.png',
        badge: '/icons/badge-96.png',
        data: id ? { id, url, actions } : { url, actions },
        actions: actions.map(({ action, title: label }) => ({ action, title: label })),
      }),
      replay().catch(() => {}),
    ]),
  );
});

// Only our own origin may be opened from a notification, whatever the payload says.
function sameOriginUrl(candidate) {
  const url = new URL(candidate || '/', self.location.origin);
  return url.origin === self.location.origin ? url.href : new URL('/', self.location.origin).href;
}

async function apiCall(path, { method = 'GET', body } = {}) {
  const csrf = await kvGet('csrf').catch(() => null);
  const response = await fetch(`/api/v1/${path}`, {
    method,
    credentials: 'same-origin',
    headers: {
      Accept: 'application/json',
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(method !== 'GET' && csrf ? { 'X-CSRFToken': csrf } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
  return response.status === 204 ? null : response.json();
}

// "I took it": the notification's id leads to its link, /patients/{patient}/medications/{medication};
// the dose goes through the outbox with an id chosen here, so a tap with no signal is sent later
// and a repeated tap is still one dose.
const MEDICATION_LINK = /^\/patients\/([0-9a-f-]{36})\/medications\/([0-9a-f-]{36})/;

async function logDoseFromNotification(id) {
  const notification = await apiCall(`notifications/${id}/`);
  const found = new URL(notification.url, self.location.origin).pathname.match(MEDICATION_LINK);
  if (!found) throw new Error('this notification is not about a medication');
  const [, patientId, medicationId] = found;
  const medication = await apiCall(`patients/${patientId}/medications/${medicationId}/`).catch(() => null);
  const body = { id: crypto.randomUUID(), medication: medicationId, status: 'taken', taken_at: new Date().toISOString() };
  if (medication?.suggested_injection_site) body.injection_site = medication.suggested_injection_site;
  await enqueue({
    url: `/api/v1/patients/${patientId}/doses/`,
    body,
    label: `${medication?.name || 'Dose'} taken (from a notification)`,
  });
  const result = await replay({ onlyId: body.id });
  await apiCall(`notifications/${id}/acknowledge`, { method: 'POST' }).catch(() => {});
  return { dose: body.id, sent: Boolean(result.outcomes[body.id]?.ok) };
}

// Actions the server performs itself (POST /api/v1/notifications/{id}/actions/{action}): they
// need a connection; without one the tap opens the app instead.
const serverAction = (action) => (id) => apiCall(`notifications/${id}/actions/${action}`, { method: 'POST' });

const doseLogged = (outcome) => ['Dose logged', outcome.sent ? 'Saved in Mastline.' : 'Saved on this phone; it will sync when online.'];

// What each notification action does without opening the app, and what it says once done.
// The server's dose reminders carry `took-it` and `remind-later`, the carry check `have-pens`
// (apps/*/messages.py); their other actions (`answer`, `check_in`) open the app. `log_dose` is
// not sent by the server: an alias of `took-it`.
const ACTIONS = {
  log_dose: { run: logDoseFromNotification, done: doseLogged },
  'took-it': { run: logDoseFromNotification, done: doseLogged },
  'have-pens': { run: serverAction('have-pens'), done: () => ['Carry check answered', 'Thank you: noted that the pens are with you.'] },
  'remind-later': { run: serverAction('remind-later'), done: () => ['Reminder moved', 'We will remind you again in an hour.'] },
  // An urgent alert's "I'm dealing with it": acknowledged for the whole care team, repeats stop.
  acknowledge: { run: serverAction('acknowledge'), done: () => ['Acknowledged', 'The others on the care team see that you are dealing with it.'] },
};

async function confirm(title, body, tag) {
  await self.registration.showNotification(title, { body, tag, icon: '/icons/icon-192.png', badge: '/icons/badge-96.png', data: { url: '/today', actions: [] } });
}

// Tapping a notification (or an action that has no handler here) focuses an open Mastline window
// and takes it there, or opens a new one. An action with a handler is done in the background.
async function onNotificationClick(notification, action) {
  notification.close();
  const { id, url, actions = [] } = notification.data || {};
  const handler = action && ACTIONS[action];
  if (handler && id) {
    try {
      const outcome = await handler.run(id);
      const [title, body] = handler.done(outcome);
      await confirm(title, body, notification.tag);
      return outcome;
    } catch {
      // Signed out, or the alert is gone: open the app where it can be done by hand.
    }
  }
  const chosen = actions.find((item) => item.action === action);
  const target = sameOriginUrl(chosen?.url || url);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
  if (open) {
    await open.focus().catch(() => {});
    return open.navigate(target);
  }
  return self.clients.openWindow(target);
}

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(onNotificationClick(event.notification, event.action));
});

// For the browser tests, which cannot tap an OS notification: the same function the click runs,
// reachable by code evaluated inside this worker (nothing outside the worker can call it).
self.mastline = { onNotificationClick, sendOutbox };
