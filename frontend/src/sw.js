// Mastline's service worker, served from /sw.js so its scope is the whole site.
// vite-plugin-pwa (injectManifest) bundles this file and replaces self.__WB_MANIFEST with the list of
// built files and their revisions.
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

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

// Web Push. The payload is {title, body, tag, url, actions} and by design names no symptom, drug or
// dose (it passes through the browser vendor's push service); the app shows details after opening.
self.addEventListener('push', (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    // A malformed payload still deserves a notification: an alert must not be lost silently.
  }
  const { title = 'Mastline', body = '', tag, url = '/', actions = [] } = payload;
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      tag, // the same tag replaces an earlier notification (e.g. the next escalation of one dose)
      renotify: Boolean(tag),
      icon: '/icons/icon-192.png',
      badge: '/icons/badge-96.png',
      data: { url, actions },
      actions: actions.map(({ action, title: label }) => ({ action, title: label })),
    }),
  );
});

// Only our own origin may be opened from a notification, whatever the payload says.
function sameOriginUrl(candidate) {
  const url = new URL(candidate || '/', self.location.origin);
  return url.origin === self.location.origin ? url.href : new URL('/', self.location.origin).href;
}

// Tapping a notification (or one of its actions, which may carry its own url) focuses an open
// Mastline window and takes it there, or opens a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const { url, actions = [] } = event.notification.data || {};
  const chosen = actions.find((item) => item.action === event.action);
  const target = sameOriginUrl(chosen?.url || url);

  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        await open.focus();
        return open.navigate(target);
      }
      return self.clients.openWindow(target);
    })(),
  );
});
